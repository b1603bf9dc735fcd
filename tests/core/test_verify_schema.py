"""issuer.verify: the `schema` check (OB 3.0 JSON schema + OB#achievementsubject; legacy VC 1.1 cannot be checked)."""

from __future__ import annotations

from issuer import problems as P
from issuer.cryptosuites import add_proof
from issuer.keys import did_key_signer
from issuer.verify import VC1_CONTEXT, VC2_CONTEXT, check_schema, is_open_badge

from .conftest import ISSUER_KEY, outcomes, sign, verify

OB301 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"
DI_V2 = "https://w3id.org/security/data-integrity/v2"


def legacy_badge(**changes):
    """A VC 1.1 OpenBadgeCredential (pre-3.0.2 OB shape), signed by the issuer's did:key."""
    doc = {
        "@context": [VC1_CONTEXT, OB301, DI_V2],
        "id": "urn:uuid:5b1c6f0e-8f7a-4c1e-b1b5-3f9d0c2a7e10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": ISSUER_KEY.did_key, "type": ["Profile"], "name": "Legacy Issuer"},
        "issuanceDate": "2026-01-01T00:00:00Z",
        "name": "Legacy badge",
        "credentialSubject": {"id": "did:example:learner", "type": ["AchievementSubject"], "achievement": {
            "id": "https://badges.example.org/a/1", "type": ["Achievement"], "name": "A",
            "description": "An achievement.", "criteria": {"narrative": "Do it."}}},
    }
    doc.update(changes)
    return add_proof(doc, signer=did_key_signer(ISSUER_KEY), created="2026-01-01T00:00:00Z")


def test_our_credential_follows_the_schema(signed):
    assert outcomes(verify(signed))["schema"] == ("pass", [])


def test_violation_names_the_field(signed):
    signed["credentialSubject"]["result"][0]["achievedLevel"] = "https://badges.example.org/levels/nope"
    report = verify(sign(signed))
    schema = report.check("schema")
    assert schema.outcome.value == "fail"
    [problem] = schema.problems
    assert (problem.code, problem.path, problem.type) == (
        "schema_violation", "/credentialSubject/result/0/achievedLevel", P.MALFORMED_VALUE_ERROR)
    assert outcomes(report)["proof"] == ("pass", [])  # a signed credential can still be malformed
    assert not report.verified


def test_missing_required_property(signed):
    del signed["credentialSubject"]["achievement"]
    problems = verify(sign(signed)).check("schema").problems
    assert ("/credentialSubject", "schema_violation") in {(p.path, p.code) for p in problems}
    assert any("achievement" in p.detail for p in problems)


def test_subject_without_id_or_identifier(signed):
    del signed["credentialSubject"]["identifier"]
    report = verify(sign(signed))
    problems = report.check("schema").problems
    assert [(p.code, p.path) for p in problems] == [("subject_unidentified", "/credentialSubject")]  # once
    assert not report.verified


def test_not_an_open_badge_is_outside_the_schema():
    plain = sign({"@context": [VC2_CONTEXT], "type": ["VerifiableCredential"], "issuer": ISSUER_KEY.did_key,
                  "validFrom": "2026-01-01T00:00:00Z", "credentialSubject": {"id": "did:example:learner"}})
    report = verify(plain)
    assert outcomes(report)["schema"] == ("pass", [])
    assert "Not an Open Badge" in report.check("schema").summary
    assert report.verified, report.as_dict()


def test_legacy_vc11_open_badge_cannot_be_checked_but_verifies():
    report = verify(legacy_badge())
    assert outcomes(report)["schema"] == ("cannot-check", [])
    assert report.check("parse").details == {"dataModel": "1.1"}
    assert report.verified, report.as_dict()  # cannot-check is a warning, not a failure


def test_is_open_badge_tolerates_odd_type_values():
    assert is_open_badge({"type": "OpenBadgeCredential"})
    assert is_open_badge({"type": ["VerifiableCredential", "AchievementCredential"]})
    assert not is_open_badge({"type": ["VerifiableCredential", {"not": "hashable"}]})
    assert not is_open_badge({"type": {"OpenBadgeCredential": 1}})
    assert not is_open_badge({})


def test_unhashable_type_entries_do_not_crash_the_schema_check():
    result = check_schema({"@context": [VC2_CONTEXT], "type": ["VerifiableCredential", ["OpenBadgeCredential"]],
                           "credentialSubject": {}})
    assert result.outcome.value == "pass"

