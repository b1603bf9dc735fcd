"""The OB 3.0 credential builder: golden output, variants, content, errors."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from issuer.credentials import (
    EvidenceItem, IssuerProfile, ProviderProfile, Recipient, build_achievement, choose_source,
)
from issuer.errors import CredentialBuildError
from issuer.frameworks import LEVEL_ORDER, FrameworkUrls, load_framework
from issuer.schema import validate_ob_credential

from .conftest import EVIDENCE, HOLDER_DID, PROVIDERS, STATUS, VALID_FROM

GOLDEN = Path(__file__).parent / "golden"
BASE = "https://badges.example.org/frameworks/29-2052.00/v.26.05"


def test_golden_email_recipient(build):
    expected = json.loads((GOLDEN / "proficient-email-status.json").read_text(encoding="utf-8"))
    assert build() == expected


def test_golden_did_recipient(build):
    expected = json.loads((GOLDEN / "advanced-did-minimal.json").read_text(encoding="utf-8"))
    cred = build(level="advanced", recipient=Recipient(name=None, did=HOLDER_DID), evidence=(), sources=(),
                 status_entry=None)
    assert cred == expected


VARIANTS = {
    "did": dict(recipient=Recipient(name="Jane Doe", did=HOLDER_DID)),
    "did-no-name": dict(recipient=Recipient(name=None, did=HOLDER_DID)),
    "email-no-status": dict(status_entry=None),
    "valid-until": dict(valid_until=VALID_FROM + timedelta(days=3 * 365)),
    "awarded": dict(awarded_date=datetime(2026, 5, 19, 9, 30, tzinfo=UTC)),
    "no-evidence": dict(evidence=(), sources=()),
    "one-provider": dict(evidence=EVIDENCE[:1], sources=PROVIDERS[:1]),
    "image": dict(image="https://badges.example.org/img/proficient.png"),
    "issuer-extras": dict(issuer=IssuerProfile(id="https://badges.example.org/issuer", name="X",
                                               url="https://x.org", image="https://x.org/logo.png",
                                               email="badges@x.org")),
    "suspension": dict(status_entry={**STATUS, "statusPurpose": "suspension"}),
    **{f"level-{key}": dict(level=key) for key in LEVEL_ORDER},
}


@pytest.mark.parametrize("overrides", VARIANTS.values(), ids=VARIANTS.keys())
def test_every_variant_validates_and_canonicalizes(build, overrides):
    from issuer.canonical import rdfc_nquads

    cred = build(**overrides)
    assert validate_ob_credential(cred) == []
    assert rdfc_nquads(cred).count("\n") > 100


def test_achievement_content(build, fw):
    cred = build()
    ach = cred["credentialSubject"]["achievement"]
    assert ach["id"] == BASE + "/achievements/proficient"
    assert (ach["achievementType"], ach["version"], ach["humanCode"]) == ("Competency", "v.26.05", "PT-L3")
    assert ach["criteria"]["narrative"].count("\n- **P") == 10
    align = ach["alignment"]
    assert len(align) == 12
    assert align[0]["targetType"] == "ext:OnetSocOccupation" and align[0]["targetCode"] == "29-2052.00"
    assert align[1]["targetType"] == "CFRubricCriterionLevel" and align[1]["targetUrl"] == BASE + "/levels/proficient"
    statements = align[2:]
    assert [a["targetCode"] for a in statements] == [f"P{n:02d}" for n in range(1, 11)]
    assert all(a["targetType"] == "CFItem" and "v.26.05" in a["targetUrl"] for a in statements)
    assert [a["targetName"] for a in statements] == [s.text for s in fw.level("proficient").statements]
    (rubric,) = ach["resultDescription"]
    assert rubric["id"] == BASE + "/rubric" and rubric["resultType"] == "RubricCriterionLevel"
    assert [lv["name"] for lv in rubric["rubricCriterionLevel"]] == ["Emerging", "Developing", "Proficient", "Advanced"]
    assert [lv["level"] for lv in rubric["rubricCriterionLevel"]] == ["1", "2", "3", "4"]
    (result,) = cred["credentialSubject"]["result"]
    assert result == {"type": ["Result"], "resultDescription": BASE + "/rubric",
                      "achievedLevel": BASE + "/levels/proficient"}
    assert cred["name"] == "Pharmacy Technician — Proficient (v.26.05)"


def test_framework_document_is_pinned_by_digest(build, fw):
    (related,) = build()["relatedResource"]
    assert related["id"] == BASE + ".json"
    raw = Path(__file__).resolve().parents[2].joinpath(
        "issuer/frameworks/data/pharmacy-technicians.v26.05.json").read_bytes()
    import base64
    assert related["digestSRI"] == "sha256-" + base64.b64encode(hashlib.sha256(raw).digest()).decode()


def test_envelope(build):
    cred = build(valid_until=datetime(2029, 5, 20, 16, 3, 11, 987654, tzinfo=timezone(timedelta(hours=2))))
    assert cred["@context"] == ["https://www.w3.org/ns/credentials/v2",
                                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                                "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"]
    assert cred["validFrom"] == "2026-05-20T14:03:11Z"
    assert cred["validUntil"] == "2029-05-20T14:03:11Z"
    assert cred["issuer"] == {"id": "did:web:badges.example.org", "type": ["Profile"],
                              "name": "Example Credentialing Service", "url": "https://badges.example.org"}
    assert cred["credentialStatus"] == STATUS
    assert cred["credentialSchema"] == [{
        "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
        "type": "1EdTechJsonSchemaValidator2019"}]
    assert "proof" not in cred and "awardedDate" not in cred


def test_evidence_names_providers_dates_and_statements(build):
    evidence = build()["evidence"]
    assert [e["name"] for e in evidence] == ["Dispensing practical", "Written examination"]
    assert evidence[0]["id"] == "https://provider-a.example/assessments/77" and "id" not in evidence[1]
    assert "Provider A" in evidence[0]["description"] and "2026-05-18T10:00:00Z" in evidence[0]["narrative"]
    assert evidence[0]["narrative"].startswith("Observed practical in a hospital pharmacy.")
    assert "P01, P02, P03" in evidence[0]["narrative"]
    assert evidence[1]["description"] == "Ninety-minute written exam."
    assert "Provider B" in evidence[1]["narrative"]


def test_source_is_provider_of_latest_evidence(build):
    assert build()["credentialSubject"]["source"]["id"] == "https://provider-b.example"
    swapped = (EVIDENCE[0], EvidenceItem(**{**EVIDENCE[1].__dict__, "assessed_at": datetime(2026, 5, 1, tzinfo=UTC)}))
    assert build(evidence=swapped)["credentialSubject"]["source"]["id"] == "https://provider-a.example"
    assert choose_source((), PROVIDERS) == PROVIDERS[0]
    assert choose_source(EVIDENCE, ()) is None
    assert "source" not in build(evidence=(), sources=())["credentialSubject"]


def test_a_second_version_gets_its_own_ids_and_digest(build, fw):
    doc = json.loads(fw.raw_bytes)
    doc["framework"]["version"] = "v.26.11"
    newer = load_framework(json.dumps(doc).encode(), policy=b'{"humanCodePrefix": "PHT"}')
    cred = build(framework=newer)
    ach = cred["credentialSubject"]["achievement"]
    assert ach["id"].endswith("/v.26.11/achievements/proficient") and ach["version"] == "v.26.11"
    assert ach["humanCode"] == "PHT-L3"
    assert cred["relatedResource"][0]["digestSRI"] == newer.digest_sri != fw.digest_sri
    assert "v.26.05" not in json.dumps(cred)


def test_build_achievement_matches_the_credential(build, fw, urls):
    for key in LEVEL_ORDER:
        assert build(level=key)["credentialSubject"]["achievement"] == build_achievement(fw, key, urls)


@pytest.mark.parametrize(
    ("overrides", "path", "code"),
    [
        (dict(issuer=IssuerProfile(id="badges example", name="X")), ("issuer", "id"), "credential_invalid"),
        (dict(credential_id="6f1c9f3e"), ("id",), "credential_invalid"),
        (dict(urls=FrameworkUrls("https://badges.example.org"), level="expert"),
         ("credentialSubject", "achievement"), "level_unknown"),
        (dict(valid_from=datetime(2026, 5, 20, 14, 3, 11)), ("validFrom",), "datetime_naive"),
        (dict(valid_until=VALID_FROM - timedelta(seconds=1)), ("validUntil",), "credential_invalid"),
        (dict(recipient=Recipient(name="Jane")), ("credentialSubject",), "recipient_invalid"),
        (dict(recipient=Recipient(name="Jane", did="z6Mk")), ("credentialSubject", "id"), "recipient_invalid"),
        (dict(evidence=(EvidenceItem(id=None, name="x", description=None, narrative=None, provider_name=None,
                                     statements=("P01", "Q01"), assessed_at=None),)), ("evidence", 0),
         "statement_unknown"),
        (dict(status_entry={**STATUS, "statusListIndex": "-1"}), ("credentialStatus", "statusListIndex"),
         "status_entry_invalid"),
        (dict(status_entry={**STATUS, "statusPurpose": "revoke"}), ("credentialStatus", "statusPurpose"),
         "status_entry_invalid"),
        (dict(sources=(ProviderProfile(id="provider b", name="Provider B"),)),
         ("credentialSubject", "source", "id"), "credential_invalid"),
    ],
)
def test_errors_name_the_field(build, overrides, path, code):
    with pytest.raises(CredentialBuildError) as err:
        build(**overrides)
    assert err.value.path == path
    assert err.value.code == code
