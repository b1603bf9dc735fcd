"""An endorsement signed by the W3C reference implementation (@digitalbazaar/vc), from OB's own
example EndorsementCredential, embedded in our credential: our verifier checks it, and the
reference verifies the credential that carries it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from issuer.cryptosuites import add_proof
from issuer.frameworks import FrameworkRegistry
from issuer.keys import Ed25519Key, did_key_signer
from tests.spec_data import SPEC_EXAMPLES
from tests.verifier.fixtures.generate import OTHER, _credential
from verifier.app import VerifierSettings, make_engine

SEED = bytes.fromhex("5e" * 32)
CREATED = "2026-05-02T08:00:00Z"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _ob_example_endorsement(endorser: str) -> dict:
    endorsement = json.loads((SPEC_EXAMPLES / "ob3" / "endorsement-credential.json").read_text(encoding="utf-8"))
    endorsement["issuer"]["id"] = endorser  # the example's https issuer has no key we can sign with
    del endorsement["credentialStatus"], endorsement["refreshService"]  # 1EdTech methods: nothing to fetch here
    return endorsement


def test_reference_signed_ob_endorsement_inside_our_credential(reference_sign, reference_verify):
    endorser = Ed25519Key.from_seed(SEED)
    signed = reference_sign(_ob_example_endorsement(endorser.did_key), seed=SEED, created=CREATED)
    credential = _credential(issuer=OTHER.did_key)
    credential["credentialSubject"]["achievement"]["endorsement"] = [signed]
    del credential["credentialStatus"]  # its list lives in the scenario world, not here
    credential = add_proof(credential, signer=did_key_signer(OTHER), created=CREATED)

    engine = make_engine(VerifierSettings(), registry=FrameworkRegistry.bundled(), clock=lambda: NOW)
    verification = engine.verify_value(credential)
    check = verification.report.check("endorsements")
    assert verification.verified, verification.body()
    assert check.details["endorsements"][0]["endorser"] == {"id": endorser.did_key,
                                                           "name": "State Department of Education"}
    assert reference_verify(credential)["verified"] is True

    signed["credentialSubject"]["endorsementComment"] = "1EdTech University is in excellent standing"
    forged = _credential(issuer=OTHER.did_key)
    forged["credentialSubject"]["achievement"]["endorsement"] = [signed]
    del forged["credentialStatus"]
    verification = engine.verify_value(add_proof(forged, signer=did_key_signer(OTHER), created=CREATED))
    assert verification.report.check("endorsements").problems[0].code == "endorsement_not_verified"
