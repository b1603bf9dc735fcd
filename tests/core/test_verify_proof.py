"""issuer.verify: the `proof` and `issuer` checks (DI 1.0 §4.4-4.5; the issuer controls the signing key)."""

from __future__ import annotations

from issuer import problems as P
from issuer.cryptosuites import add_proof
from issuer.dates import format_datetime_z
from issuer.dids import VerificationMethod, resolve_did_key
from issuer.errors import KeyError_
from issuer.keys import Signer, did_key_signer
from issuer.verify import VC2_CONTEXT

from .conftest import ISSUER_KEY, NOW, OTHER_KEY, outcomes, sign, verify


def plain_vc(**changes):
    doc = {"@context": [VC2_CONTEXT], "type": ["VerifiableCredential"], "issuer": ISSUER_KEY.did_key,
           "validFrom": "2026-01-01T00:00:00Z", "credentialSubject": {"id": "did:example:learner"}}
    doc.update(changes)
    return {k: v for k, v in doc.items() if v is not ...}


def test_valid_signature_and_issuer(signed):
    report = verify(signed)
    assert outcomes(report)["proof"] == ("pass", []) and outcomes(report)["issuer"] == ("pass", [])
    assert report.check("proof").details == {"verificationMethods": [ISSUER_KEY.did_key_verification_method],
                                             "cryptosuites": ["eddsa-rdfc-2022"]}
    assert report.check("issuer").details == {"issuer": ISSUER_KEY.did_key}
    assert report.verified


def test_tampered_credential_fails_proof_and_issuer_cannot_be_checked(signed):
    signed["credentialSubject"]["result"][0]["achievedLevel"] = signed["credentialSubject"]["result"][0][
        "achievedLevel"].replace("proficient", "advanced")
    report = verify(signed)
    proof = report.check("proof")
    assert proof.outcome.value == "fail" and proof.problems[0].type == P.PROOF_VERIFICATION_ERROR
    assert [p.code for p in proof.problems] == ["signature_invalid"]
    assert outcomes(report)["issuer"] == ("cannot-check", [])
    assert not report.verified


def test_no_proof(signed):
    del signed["proof"]
    report = verify(signed)
    assert outcomes(report)["proof"] == ("fail", ["proof_missing"])
    assert outcomes(report)["issuer"][0] == "cannot-check"
    assert not report.verified


def test_signed_by_another_did_key_is_not_the_issuers(signed):
    report = verify(sign(signed, OTHER_KEY))  # issuer still names ISSUER_KEY's did:key
    assert outcomes(report)["proof"] == ("pass", [])
    issuer = report.check("issuer")
    assert issuer.outcome.value == "fail"
    [problem] = issuer.problems
    assert (problem.code, problem.path) == ("key_not_issuers", "/proof/verificationMethod")
    assert OTHER_KEY.did_key in problem.detail and ISSUER_KEY.did_key in problem.detail
    assert not report.verified


def test_issuer_missing():
    for issuer in (..., {"name": "No id"}, 42):
        report = verify(sign(plain_vc(issuer=issuer)))
        assert outcomes(report)["proof"] == ("pass", [])
        assert outcomes(report)["issuer"] == ("fail", ["issuer_missing"]), issuer
        assert report.check("issuer").problems[0].path == "/issuer"


def test_issuer_as_string_or_profile():
    assert verify(sign(plain_vc())).verified
    assert verify(sign(plain_vc(issuer={"id": ISSUER_KEY.did_key, "name": "Issuer"}))).verified


def test_proof_set_one_of_them_the_issuers():
    by_other = sign(plain_vc(), OTHER_KEY)
    both = add_proof(by_other, signer=did_key_signer(ISSUER_KEY), created=format_datetime_z(NOW))
    assert isinstance(both["proof"], list) and len(both["proof"]) == 2
    report = verify(both)
    assert outcomes(report)["issuer"] == ("pass", []) and report.verified
    assert "signatures are valid" in report.check("proof").summary
    assert len(report.check("proof").details["verificationMethods"]) == 2


def test_unresolvable_key_fails_the_proof():
    signer = Signer(ISSUER_KEY, "did:web:issuer.example.org#key-1")
    doc = add_proof(plain_vc(issuer="did:web:issuer.example.org"), signer=signer, created=format_datetime_z(NOW))
    report = verify(doc)  # resolve_did_key knows nothing of did:web
    assert outcomes(report)["proof"] == ("fail", ["key_unresolvable"])
    assert not report.verified


def test_a_resolver_that_crashes_is_reported_not_raised():
    def broken(vm_url: str) -> VerificationMethod:
        raise RuntimeError("resolver bug")

    report = verify(sign(plain_vc()), resolve_key=broken)
    assert outcomes(report)["proof"] == ("fail", ["key_unresolvable"])
    assert "RuntimeError" in report.check("proof").problems[0].detail
    assert not report.verified


def test_resolver_key_errors_keep_their_code():
    def refusing(vm_url: str) -> VerificationMethod:
        raise KeyError_("no such key", code="key_unresolvable")

    report = verify(sign(plain_vc()), resolve_key=refusing)
    assert "key_unresolvable" in [p.code for p in report.check("proof").problems]
    assert resolve_did_key(ISSUER_KEY.did_key_verification_method).controller == ISSUER_KEY.did_key
