"""Embedded endorsements (OB 3.0 §9.2): each is verified on its own; the `endorsements` check sums them up.

The scenario fixtures cover one valid DI endorsement, a forged one and an endorsementJwt;
these tests cover where endorsements may sit, bounds and wrong items.
"""

from __future__ import annotations

import copy

from issuer.cryptosuites import add_proof
from issuer.keys import did_key_signer
from issuer.schema import schema_violations
from tests.verifier.fixtures.generate import CREATED, ENDORSER, _credential, _sign, endorsement
from verifier import endorsements as E


def _endorsement_of(subject_id: str, number: int = 1) -> dict:
    return add_proof(endorsement(subject_id, "In good standing.", number), signer=did_key_signer(ENDORSER),
                     created=CREATED)


def test_endorsements_are_found_on_every_holder_ob_allows():
    credential = _credential()
    credential["endorsement"] = [_endorsement_of(credential["id"], 1)]
    credential["issuer"]["endorsement"] = [_endorsement_of(credential["issuer"]["id"], 2)]
    achievement = credential["credentialSubject"]["achievement"]
    achievement["endorsement"] = [_endorsement_of(achievement["id"], 3)]
    achievement["creator"] = {"id": "https://creator.example", "type": ["Profile"],
                              "endorsementJwt": ["eyJhbGciOiJFZERTQSJ9.e30.c2ln"]}
    found = E.find_endorsements(credential)
    assert [f.path for f in found] == ["/endorsement/0", "/issuer/endorsement/0",
                                       "/credentialSubject/achievement/endorsement/0",
                                       "/credentialSubject/achievement/creator/endorsementJwt/0"]
    assert schema_violations(credential) == []  # the embedded single-proof maps are read as proof arrays


def test_every_endorsement_verified_passes(engine):
    credential = _credential()
    credential["endorsement"] = [_endorsement_of(credential["id"], 1)]
    credential["issuer"]["endorsement"] = [_endorsement_of(credential["issuer"]["id"], 2)]
    verification = engine.verify_value(_sign(credential))
    check = verification.report.check("endorsements")
    assert verification.verified and check.outcome.value == "pass"
    assert check.summary == "Endorsed by State Board of Pharmacy: 2 endorsements, each signed by its endorser."
    assert [e["verdict"] for e in check.details["endorsements"]] == ["verified", "verified"]


def test_no_endorsements_no_check(engine):
    verification = engine.verify_value(_sign(_credential()))
    assert verification.report.check("endorsements") is None


def test_an_item_that_is_not_an_endorsement_fails(engine):
    credential = _credential()
    plain = copy.deepcopy(_endorsement_of(credential["id"]))
    del plain["proof"]
    plain["type"] = ["VerifiableCredential"]
    credential["endorsement"] = [add_proof(plain, signer=did_key_signer(ENDORSER), created=CREATED)]
    check = engine.verify_value(_sign(credential)).report.check("endorsements")
    assert check.outcome.value == "fail" and check.problems[0].code == "endorsement_wrong_type"


def test_an_unsigned_endorsement_fails_with_the_path(engine):
    credential = _credential()
    unsigned = endorsement(credential["id"], "Trust me.")
    credential["endorsement"] = [unsigned]
    verification = engine.verify_value(_sign(credential))
    problem = verification.report.check("endorsements").problems[0]
    assert not verification.verified
    assert (problem.code, problem.path) == ("endorsement_not_verified", "/endorsement/0")
    assert "proof" in problem.detail


def test_past_the_limit_endorsements_are_not_followed(engine, monkeypatch):
    monkeypatch.setattr(E, "MAX_ENDORSEMENTS", 2)
    credential = _credential()
    credential["endorsement"] = [_endorsement_of(credential["id"], n) for n in range(1, 4)]
    verification = engine.verify_value(_sign(credential))
    check = verification.report.check("endorsements")
    assert check.outcome.value == "cannot-check" and verification.verdict == "incomplete"
    assert check.summary == "Only the first 2 of 3 endorsements were checked."
    assert len(check.details["endorsements"]) == 2


def test_endorsements_of_endorsements_are_not_followed(engine):
    calls = []
    inner = _endorsement_of("https://issuer.example", 2)
    outer = endorsement("https://issuer.example", "Endorsed endorser.")
    outer["issuer"]["endorsement"] = [inner]
    outer = add_proof(outer, signer=did_key_signer(ENDORSER), created=CREATED)
    credential = _credential()
    credential["endorsement"] = [outer]
    real = engine.verify_value

    def counting(value, **kwargs):
        calls.append(kwargs.get("nested", False))
        return real(value, **kwargs)

    engine.verify_value = counting
    verification = engine.verify_value(_sign(credential))
    assert calls == [False, True]  # the credential, then its one endorsement: the inner one is not followed
    assert verification.report.check("endorsements").outcome.value == "pass"
