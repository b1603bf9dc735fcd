"""`@direction` (VCDM 2.0 §11.1 language value objects) interoperates with the reference cryptosuite.

eddsa-rdfc-2022 in the reference canonicalizes with rdfDirection `i18n-datatype`; our
proofs must be byte-identical for the same key and time, and verify on both sides.
"""

from __future__ import annotations

import copy

import pytest

from tests.interop.test_reference_interop import CREATED, KEY, SEED, _ours, _we_verify


def _directed() -> dict:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
        "id": "urn:uuid:0b8c3f5e-5f3c-4b55-9a0e-1a9b1c3d2e4f",
        "type": ["VerifiableCredential"],
        "issuer": {"id": KEY.did_key, "name": {"@value": "جامعة", "@language": "ar", "@direction": "rtl"}},
        "name": [{"@value": "Diploma", "@language": "EN", "@direction": "ltr"},
                 {"@value": "شهادة", "@language": "ar", "@direction": "rtl"}],
        "description": {"@value": "No language, right to left", "@direction": "rtl"},
        "credentialSubject": {"id": "did:example:subject"},
    }


def test_canonical_form_matches_the_reference(reference_canonize_many):
    from issuer.canonical import rdfc_nquads

    [theirs] = reference_canonize_many([_directed()])
    assert "<https://www.w3.org/ns/i18n#ar_rtl>" in theirs
    assert rdfc_nquads(_directed()) == theirs


def test_reference_signed_verifies_with_us_byte_for_byte(reference_sign):
    theirs = reference_sign(_directed(), seed=SEED, created=CREATED)
    assert _we_verify(theirs)
    assert _ours(_directed())["proof"] == theirs["proof"]


def test_we_sign_and_the_reference_verifies(reference_verify):
    assert reference_verify(_ours(_directed())) == {"verified": True, "error": None}


@pytest.mark.parametrize("direction", ["ltr", None])
def test_changing_the_direction_breaks_the_signature_on_both_sides(reference_verify, direction):
    tampered = copy.deepcopy(_ours(_directed()))
    if direction is None:
        del tampered["description"]["@direction"]
    else:
        tampered["description"]["@direction"] = direction
    assert not _we_verify(tampered)
    assert reference_verify(tampered)["verified"] is False
