"""The issuing use case in-process: what is checked before signing, and what is signed."""

from __future__ import annotations

import copy
import json

import pytest

from issuer import problems as P
from issuer.cryptosuites import add_proof
from issuer.dids import StaticKeyResolver
from issuer.keys import Ed25519Key, did_key_signer
from issuer.verify import verify_credential
from pipeline.issue_service import (
    DATA_INTEGRITY_CONTEXT,
    UNKNOWN_OPTION_PROVIDED,
    IssueRefused,
    check_options,
    issue_result,
    read_issue_request,
)

from .conftest import NOW

VC1 = "https://www.w3.org/2018/credentials/v1"


def issue(credential, identity, options=None):
    return issue_result(json.dumps(credential), options or {}, identity, NOW)


def signed_of(result):
    assert "problem" not in result, result
    return result["verifiableCredential"]


def refusal(result):
    assert "verifiableCredential" not in result, "expected a refusal"
    return result["problem"]


def test_signs_a_vc2_credential_with_the_issuers_current_key(credential, identity):
    signed = signed_of(issue(credential, identity))
    [proof] = signed["proof"]  # a proof set of one: the array the OB 3.0 schema requires
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == identity.signer.verification_method
    assert proof["created"] == "2026-11-20T16:00:00Z" and proof["proofValue"].startswith("z")
    assert {k: v for k, v in signed.items() if k != "proof"} == credential  # nothing else changed
    report = verify_credential(signed, resolve_key=StaticKeyResolver(), now=NOW)
    assert report.verified, report.as_dict()
    assert report.check("issuer").details == {"issuer": identity.profile.id}


def test_issuer_may_be_an_object_with_our_id(credential, identity):
    credential["issuer"] = {"id": identity.profile.id, "name": "Us"}
    signed = signed_of(issue(credential, identity))
    assert verify_credential(signed, resolve_key=StaticKeyResolver(), now=NOW).verified


def test_tampering_after_issue_breaks_the_proof(credential, identity):
    signed = signed_of(issue(credential, identity))
    signed["credentialSubject"]["name"] = "Someone else"
    report = verify_credential(signed, resolve_key=StaticKeyResolver(), now=NOW)
    assert not report.verified and report.check("proof").problems[0].code == "signature_invalid"


def test_vc11_gets_issuance_date_and_the_data_integrity_context(identity):
    vc = {"@context": [VC1], "type": ["VerifiableCredential"], "issuer": identity.profile.id,
          "credentialSubject": {"id": "did:example:abc"}}
    signed = signed_of(issue(vc, identity))
    assert signed["issuanceDate"] == "2026-11-20T16:00:00Z"
    assert signed["@context"] == [VC1, DATA_INTEGRITY_CONTEXT]
    assert verify_credential(signed, resolve_key=StaticKeyResolver(), now=NOW).verified


def test_vc11_keeps_a_given_issuance_date(identity):
    vc = {"@context": [VC1, DATA_INTEGRITY_CONTEXT], "type": ["VerifiableCredential"], "issuer": identity.profile.id,
          "issuanceDate": "2020-01-01T00:00:00Z", "credentialSubject": {"id": "did:example:abc"}}
    signed = signed_of(issue(vc, identity))
    assert signed["issuanceDate"] == "2020-01-01T00:00:00Z" and signed["@context"] == vc["@context"]


@pytest.mark.parametrize("issuer", ["did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
                                    {"id": "https://example.edu/issuers/565049"}])
def test_a_foreign_issuer_is_refused(credential, identity, issuer):
    credential["issuer"] = issuer
    problem = refusal(issue(credential, identity))
    assert (problem["code"], problem["path"]) == ("issuer_not_ours", "/issuer")
    assert problem["type"] == P.MALFORMED_VALUE_ERROR


def test_a_missing_issuer_is_refused(credential, identity):
    del credential["issuer"]
    assert refusal(issue(credential, identity))["code"] == "issuer_missing"


@pytest.mark.parametrize("mutate, code", [
    (lambda vc: vc.pop("credentialSubject"), "subject_missing"),
    (lambda vc: vc.update(credentialSubject={}), "subject_empty"),
    (lambda vc: vc.update(credentialSubject=[]), "subject_empty"),
    (lambda vc: vc.update(type=["AlumniCredential"]), "type_not_vc"),
    (lambda vc: vc.update({"@context": ["https://example.org/ctx"]}), "context_not_vc"),
    (lambda vc: vc.pop("@context"), "context_missing"),
])
def test_envelope_problems_are_refused(credential, identity, mutate, code):
    mutate(credential)
    problem = refusal(issue(credential, identity))
    assert problem["code"] == code
    assert problem["type"] == (P.MALFORMED_VALUE_ERROR if code == "subject_empty" else P.PARSING_ERROR)


def test_a_context_off_the_allowlist_is_refused(credential, identity):
    credential["@context"].append("https://example.org/my-context.jsonld")
    problem = refusal(issue(credential, identity))
    assert (problem["code"], problem["path"]) == ("context_unknown", "/@context/1")


def test_an_inline_context_is_signed_and_verifies(credential, identity):
    credential["@context"].append({"favourite": "https://example.org/favourite"})
    credential["credentialSubject"]["favourite"] = "green"
    signed = signed_of(issue(credential, identity))
    assert signed["@context"][-1] == {"favourite": "https://example.org/favourite"}
    assert verify_credential(signed, resolve_key=StaticKeyResolver(), now=NOW).verified


def test_an_inline_context_redefining_a_protected_term_is_refused(credential, identity):
    credential["@context"].append({"name": "https://evil.example/name"})
    problem = refusal(issue(credential, identity))
    assert (problem["code"], problem["path"]) == ("jsonld_protected_term_redefinition", "/@context/1")


def test_an_undefined_term_is_refused(identity):
    # The VC 1.1 context has no @vocab: a term no context defines must not be signed (dropped silently).
    vc = {"@context": [VC1], "type": ["VerifiableCredential"], "issuer": identity.profile.id,
          "credentialSubject": {"id": "did:example:abc", "favouriteColour": "green"}}
    problem = refusal(issue(vc, identity))
    assert problem["code"] == "jsonld_undefined_term" and problem["type"] == P.PARSING_ERROR
    assert problem["path"] == "/credentialSubject/favouriteColour"
    assert "favouriteColour" in problem["detail"]


def test_an_undefined_type_is_refused(identity):
    vc = {"@context": [VC1], "type": ["VerifiableCredential", "AlumniCredential"], "issuer": identity.profile.id,
          "credentialSubject": {"id": "did:example:abc"}}
    problem = refusal(issue(vc, identity))
    assert problem["code"] == "jsonld_relative_type" and "AlumniCredential" in problem["detail"]


@pytest.mark.parametrize("dates, code", [
    ({"validFrom": "yesterday"}, "date_invalid"), ({"validFrom": {"@value": 5}}, "date_invalid"),
    ({"validFrom": "2026-01-02T00:00:00Z", "validUntil": "2026-01-01T00:00:00Z"}, "validity_inverted"),
])
def test_malformed_dates_are_refused(credential, identity, dates, code):
    credential.update(dates)
    assert refusal(issue(credential, identity))["code"] == code


def test_a_period_in_the_past_or_future_is_the_callers_business(credential, identity):
    credential.update(validFrom="2030-01-01T00:00:00Z", validUntil="2031-01-01T00:00:00Z")
    assert signed_of(issue(credential, identity))["validFrom"] == "2030-01-01T00:00:00Z"


def test_an_open_badge_must_follow_the_ob_schema(credential, identity):
    credential["@context"].append("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json")
    credential["type"].append("OpenBadgeCredential")
    problem = refusal(issue(credential, identity))
    assert (problem["code"], problem["status"]) == ("credential_invalid", 422)
    assert problem["errors"] and {e["code"] for e in problem["errors"]} <= {"schema_violation", "subject_unidentified"}


def test_an_existing_proof_gets_ours_appended_as_a_proof_set(credential, identity):
    other = Ed25519Key.from_seed(b"\x07" * 32)
    presigned = add_proof(credential, signer=did_key_signer(other), created="2026-01-01T00:00:00Z")
    signed = signed_of(issue(presigned, identity))
    assert isinstance(signed["proof"], list) and len(signed["proof"]) == 2
    assert signed["proof"][0] == presigned["proof"]
    assert signed["proof"][1]["verificationMethod"] == identity.signer.verification_method
    report = verify_credential(signed, resolve_key=StaticKeyResolver(), now=NOW)
    assert report.verified, report.as_dict()
    assert len(report.check("proof").details["verificationMethods"]) == 2


def test_challenge_and_domain_options_go_into_the_proof(credential, identity):
    signed = signed_of(issue(credential, identity, {"challenge": "abc123", "domain": "example.org"}))
    assert (signed["proof"][0]["challenge"], signed["proof"][0]["domain"]) == ("abc123", "example.org")


def test_unknown_options_are_refused_with_the_vcalm_type(credential, identity):
    problem = refusal(issue(credential, identity, {"mandatoryPointers": ["/issuer"]}))
    assert (problem["type"], problem["code"]) == (UNKNOWN_OPTION_PROVIDED, "unknown_option")


@pytest.mark.parametrize("body, code", [
    ([], "body_not_object"), ("text", "body_not_object"), ({}, "credential_missing"),
    ({"credential": "a string"}, "credential_missing"), ({"credential": {}, "options": []}, "options_invalid"),
    ({"credential": {}, "options": {"challenge": 5}}, "option_invalid"),
    ({"credential": {}, "options": {"created": "2020-01-01T00:00:00Z"}}, "unknown_option"),
])
def test_malformed_requests_are_refused(body, code):
    with pytest.raises(IssueRefused) as caught:
        read_issue_request(body)
    assert caught.value.code == code


def test_options_may_be_absent_or_empty():
    assert read_issue_request({"credential": {}})[1] == {}
    assert check_options({}) == {} and check_options(None) == {}


@pytest.mark.parametrize("value", [[[[[]]]], {"@id": 5}, {"@value": {"a": 1}}, 1e308, None, {"@list": "x"}])
def test_odd_json_ld_is_answered_never_raised(credential, identity, value):
    credential["credentialSubject"]["odd"] = value
    result = issue(credential, identity)
    assert set(result) in ({"problem"}, {"verifiableCredential"})


def test_input_is_not_mutated(credential, identity):
    before = copy.deepcopy(credential)
    signed_of(issue(credential, identity))
    assert credential == before


def test_a_credential_nested_too_deeply_is_refused_with_the_shared_code(credential, identity):
    from issuer.jsondoc import MAX_DEPTH

    deep: dict = {}
    inner = deep
    for _ in range(MAX_DEPTH):
        inner["x"] = {}
        inner = inner["x"]
    credential["credentialSubject"]["deep"] = deep
    problem = refusal(issue(credential, identity))
    assert (problem["code"], problem["type"]) == ("json_too_deep", P.PARSING_ERROR)


def test_every_problem_of_a_credential_comes_back_at_once(credential, identity):
    """A foreign issuer, inverted dates and a status entry without `type`: one answer names all three,
    with the first one's code (what a single problem would have answered) and each problem's path."""
    credential["issuer"] = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    credential.update({"validFrom": "2026-01-02T00:00:00Z", "validUntil": "2026-01-01T00:00:00Z"})
    credential["credentialStatus"] = {"id": "https://example.edu/status/1#5"}
    problem = refusal(issue(credential, identity))
    assert problem["code"] == "issuer_not_ours"
    found = {(e["code"], e["path"]) for e in problem["errors"]}
    assert ("issuer_not_ours", "/issuer") in found and ("validity_inverted", "/validUntil") in found
    assert any(path.startswith("/credentialStatus") for _code, path in found), found
