"""`badgeline issue` and `badgeline verify`: offline, real keys and signatures."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from issuer.dids import resolve_did_key
from issuer.identity import identity_matches
from issuer.keys import Ed25519Key
from issuer.verify import verify_credential
from pipeline.settings import Settings

ISSUE = ("issue", "--framework", "29-2052.00", "--version", "v.26.05", "--level", "proficient")
HOLDER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def _verified(credential: dict) -> dict:
    report = verify_credential(credential, resolve_key=resolve_did_key, now=datetime.now(timezone.utc))
    assert report.verified, report.as_dict()
    return credential


def test_issue_for_an_email_with_a_generated_issuer(run):
    result = run(*ISSUE, "--learner-email", "Ana@Example.org", "--learner-name", "Ana Diaz")
    assert result.exit_code == 0, result.output
    credential = _verified(json.loads(result.stdout))
    assert credential["issuer"]["id"].startswith("did:key:z6Mk")
    subject = credential["credentialSubject"]
    assert "id" not in subject
    assert "ana@example.org" not in result.stdout.lower()  # only a salted hash
    hashed = next(i for i in subject["identifier"] if i["identityType"] == "emailAddress")
    assert hashed["hashed"] is True and identity_matches(hashed["identityHash"], "ana@example.org", hashed["salt"])
    assert "v.26.05" in subject["achievement"]["id"]
    assert subject["achievement"]["id"].startswith("http://127.0.0.1:8000/frameworks/")
    assert credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"


def test_issue_without_a_key_says_so_and_names_the_issuer_as_the_service_does(run):
    result = run(*ISSUE, "--learner-email", "ana@example.org")
    credential = json.loads(result.stdout)
    assert "throwaway did:key" in result.stderr and credential["issuer"]["id"] in result.stderr
    assert credential["issuer"]["name"] == Settings.explicit().issuer_name == "Badgeline Issuer"


def test_each_run_without_a_key_has_a_new_issuer(run):
    first = json.loads(run(*ISSUE, "--learner-email", "a@example.org").stdout)
    second = json.loads(run(*ISSUE, "--learner-email", "a@example.org").stdout)
    assert first["issuer"]["id"] != second["issuer"]["id"]


def test_issue_for_a_did_with_a_key_file_to_a_file(run, tmp_path):
    key = Ed25519Key.from_seed(bytes(range(32)))
    key.save(tmp_path / "issuer.pem", b"pw")
    result = run(*ISSUE, "--learner-did", HOLDER, "--learner-name", "Ana Diaz", "--key", "issuer.pem",
                 "--passphrase-env", "PW", "--issuer-name", "Northside Board", "--public-url",
                 "https://badges.example.org/", "--out", "ana.json", env={"PW": "pw"})
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    credential = _verified(json.loads((tmp_path / "ana.json").read_text(encoding="utf-8")))
    assert f"wrote ana.json ({credential['id']})" in result.stderr
    assert credential["issuer"] == {**credential["issuer"], "id": key.did_key, "name": "Northside Board",
                                    "url": "https://badges.example.org/"}
    assert credential["proof"][0]["verificationMethod"] == key.did_key_verification_method
    assert credential["credentialSubject"]["id"] == HOLDER
    assert credential["credentialSubject"]["achievement"]["id"].startswith("https://badges.example.org/frameworks/")
    assert "//frameworks" not in json.dumps(credential)


def test_public_url_from_the_environment(run):
    result = run(*ISSUE, "--learner-email", "a@example.org", env={"BADGELINE_PUBLIC_URL": "https://env.example.org"})
    achievement = json.loads(result.stdout)["credentialSubject"]["achievement"]["id"]
    assert achievement.startswith("https://env.example.org/frameworks/29-2052.00/v.26.05/")


@pytest.mark.parametrize(("args", "code", "message"), [
    ((), 2, "give --learner-email or --learner-did"),
    (("--learner-email", "a@example.org", "--level", "expert"), 1, "level_unknown"),
    (("--learner-email", "a@example.org", "--key", "missing.pem"), 2, "does not exist"),
])
def test_issue_errors(run, args, code, message):
    base = list(ISSUE)
    if "--level" in args:
        base = base[:-2]
    result = run(*base, *args)
    assert result.exit_code == code
    assert message in result.stderr


def test_issue_with_an_encrypted_key_and_no_passphrase(run, tmp_path):
    Ed25519Key.generate().save(tmp_path / "enc.pem", b"pw")
    result = run(*ISSUE, "--learner-email", "a@example.org", "--key", "enc.pem")
    assert result.exit_code == 1 and "key_passphrase_required" in result.stderr


@pytest.fixture
def issued(run, tmp_path):
    assert run(*ISSUE, "--learner-email", "a@example.org", "--out", "cred.json").exit_code == 0
    return tmp_path / "cred.json"


def test_verify_exits_0_when_verified(run, issued):
    result = run("verify", str(issued))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "VERIFIED"
    assert [line.split()[:2] for line in lines[1:]] == [
        ["PASS", "parse"], ["PASS", "contexts"], ["PASS", "schema"], ["PASS", "resources"], ["PASS", "proof"], ["PASS", "issuer"],
        ["PASS", "validity"], ["PASS", "status"], ["PASS", "framework"]]  # the web verifier's checks


def test_verify_exits_1_when_tampered(run, issued):
    credential = json.loads(issued.read_text())
    credential["credentialSubject"]["achievement"]["name"] += " (edited)"
    issued.write_text(json.dumps(credential))
    result = run("verify", str(issued))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == "NOT VERIFIED"
    assert "FAIL proof" in " ".join(result.stdout.split())
    assert "signature_invalid" in result.stdout


def test_verify_json_report(run, issued):
    result = run("verify", str(issued), "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 0 and report["verified"] is True
    assert [c["check"] for c in report["checks"]] == ["parse", "contexts", "schema", "resources", "proof", "issuer",
                                                      "validity", "status", "framework"]
    assert report["problemDetails"] == [] and report["errors"] == [] and report["verdict"] == "verified"


def test_verify_json_report_of_a_broken_file(run, tmp_path):
    (tmp_path / "junk.json").write_text("{ not json")
    result = run("verify", "junk.json", "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 1 and report["verified"] is False
    assert [p["code"] for p in report["problemDetails"]] == ["malformed_json"]


def test_verify_could_not_fully_check_exits_1(run, tmp_path):
    from issuer.cryptosuites import add_proof
    from issuer.keys import did_key_signer

    key = Ed25519Key.generate()
    now = datetime.now(timezone.utc) - timedelta(days=1)
    legacy = add_proof({
        "@context": ["https://www.w3.org/2018/credentials/v1",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
                     "https://w3id.org/security/data-integrity/v2"],
        "id": "urn:uuid:7d4f3b8a-1111-4c1e-b1b5-3f9d0c2a7e10", "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": key.did_key, "type": ["Profile"], "name": "Legacy"},
        "issuanceDate": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {"id": HOLDER, "type": ["AchievementSubject"]},
    }, signer=did_key_signer(key), created=now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    (tmp_path / "legacy.json").write_text(json.dumps(legacy))
    result = run("verify", "legacy.json")
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[0] == "COULD NOT FULLY CHECK"
    assert "UNCHECKED schema" in " ".join(result.stdout.split())
    body = json.loads(run("verify", "legacy.json", "--json").stdout)
    assert body["verified"] is False and body["errors"][0]["code"] == "verification_incomplete"
