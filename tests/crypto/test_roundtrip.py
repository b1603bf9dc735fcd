"""Sign with our own keys and verify: did:key, did:web with rotation, tampering, wrong keys."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from issuer.cryptosuites import add_proof, verify_proofs
from issuer.dids import PublishedKey, StaticKeyResolver, did_web_document, resolve_did_key
from issuer.errors import ProofError
from issuer.keys import Ed25519Key, Signer, did_key_signer
from tests.crypto.conftest import OB, load_json

CREATED = "2026-05-01T12:00:00Z"
DID = "did:web:issuer.example:pharmacy"


@pytest.fixture(scope="module")
def credential() -> dict[str, Any]:
    """A realistic OB 3.0 AchievementCredential (the OB vector's), unsigned."""
    return load_json(OB / "unsigned-credential.json")


def _codes(results) -> list[list[str]]:
    return [[p.code for p in r.problems] for r in results]


@pytest.mark.parametrize("cryptosuite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_generated_did_key_round_trip(credential: dict, cryptosuite: str) -> None:
    key = Ed25519Key.generate()
    before = copy.deepcopy(credential)
    signed = add_proof(credential, signer=did_key_signer(key), created=CREATED, cryptosuite=cryptosuite)
    assert credential == before
    assert signed["proof"]["verificationMethod"] == key.did_key_verification_method
    [result] = verify_proofs(signed, resolve_key=resolve_did_key)
    assert result.verified, result.problems
    assert (result.cryptosuite, result.controller) == (cryptosuite, key.did_key)


@pytest.mark.parametrize("cryptosuite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_tampered_credential_fails(credential: dict, cryptosuite: str) -> None:
    signed = add_proof(credential, signer=did_key_signer(Ed25519Key.generate()), created=CREATED, cryptosuite=cryptosuite)
    signed["credentialSubject"]["achievement"]["name"] += "!"
    assert _codes(verify_proofs(signed, resolve_key=resolve_did_key)) == [["signature_invalid"]]


def test_tampered_proof_options_fail(credential: dict) -> None:
    signed = add_proof(credential, signer=did_key_signer(Ed25519Key.generate()), created=CREATED)
    signed["proof"]["created"] = "2026-05-01T12:00:01Z"
    assert _codes(verify_proofs(signed, resolve_key=resolve_did_key)) == [["signature_invalid"]]


def test_wrong_key_fails(credential: dict) -> None:
    signer_key, other = Ed25519Key.generate(), Ed25519Key.generate()
    signed = add_proof(credential, signer=Signer(signer_key, other.did_key_verification_method), created=CREATED)
    assert _codes(verify_proofs(signed, resolve_key=resolve_did_key)) == [["signature_invalid"]]


def test_created_is_optional(credential: dict) -> None:
    signed = add_proof(credential, signer=did_key_signer(Ed25519Key.generate()), created=None)
    assert "created" not in signed["proof"]
    assert verify_proofs(signed, resolve_key=resolve_did_key)[0].verified


def test_add_proof_to_a_signed_document_makes_a_set(credential: dict) -> None:
    first = add_proof(credential, signer=did_key_signer(Ed25519Key.generate()), created=CREATED)
    both = add_proof(first, signer=did_key_signer(Ed25519Key.generate()), created=CREATED)
    assert isinstance(both["proof"], list) and both["proof"][0] == first["proof"]
    assert [r.verified for r in verify_proofs(both, resolve_key=resolve_did_key)] == [True, True]


def test_add_proof_rejects_bad_options(credential: dict) -> None:
    signer = did_key_signer(Ed25519Key.generate())
    cases = [
        ({"created": "yesterday"}, "proof_created_invalid"),
        ({"created": CREATED, "cryptosuite": "ecdsa-rdfc-2019"}, "cryptosuite_unsupported"),
        ({"created": CREATED, "previous_proof": "urn:uuid:nope"}, "previous_proof_missing"),
    ]
    for kwargs, code in cases:
        with pytest.raises(ProofError) as info:
            add_proof(credential, signer=signer, **kwargs)
        assert info.value.code == code


def test_challenge_and_domain_are_signed_and_checked(credential: dict) -> None:
    signed = add_proof(credential, signer=did_key_signer(Ed25519Key.generate()), created=CREATED,
                       proof_purpose="authentication", challenge="c-123", domain="verifier.example")
    ok = verify_proofs(signed, resolve_key=resolve_did_key, expected_purpose="authentication",
                       challenge="c-123", domain="verifier.example")
    assert ok[0].verified, ok[0].problems
    bad = verify_proofs(signed, resolve_key=resolve_did_key, expected_purpose="authentication", challenge="c-999")
    assert _codes(bad) == [["challenge_mismatch"]]
    bad = verify_proofs(signed, resolve_key=resolve_did_key, expected_purpose="authentication", domain="evil.example")
    assert _codes(bad) == [["domain_mismatch"]]


# --- did:web rotation ---


def _web_signer(key: Ed25519Key, fragment: str) -> Signer:
    return Signer(key, f"{DID}#{fragment}")


def test_did_web_rotation(credential: dict) -> None:
    old, new = Ed25519Key.from_seed(b"\x11" * 32), Ed25519Key.from_seed(b"\x22" * 32)
    issued_before = add_proof(credential, signer=_web_signer(old, "key-1"), created=CREATED)
    before_rotation = did_web_document(DID, [PublishedKey("key-1", old.public_multibase)])
    [result] = verify_proofs(issued_before, resolve_key=StaticKeyResolver({DID: before_rotation}))
    assert result.verified and result.controller == DID, result.problems

    rotated = did_web_document(DID, [PublishedKey("key-1", old.public_multibase, retired=True),
                                     PublishedKey("key-2", new.public_multibase)])
    resolver = StaticKeyResolver({DID: rotated})
    issued_after = add_proof(credential, signer=_web_signer(new, "key-2"), created=CREATED)
    assert verify_proofs(issued_before, resolve_key=resolver)[0].verified  # old credential still verifies
    assert verify_proofs(issued_after, resolve_key=resolver)[0].verified

    removed = did_web_document(DID, [PublishedKey("key-2", new.public_multibase)])
    assert _codes(verify_proofs(issued_before, resolve_key=StaticKeyResolver({DID: removed}))) == [["key_unresolvable"]]
    assert verify_proofs(issued_after, resolve_key=StaticKeyResolver({DID: removed}))[0].verified


def test_did_web_key_swapped_under_same_fragment_fails(credential: dict) -> None:
    old, attacker = Ed25519Key.from_seed(b"\x11" * 32), Ed25519Key.from_seed(b"\x33" * 32)
    signed = add_proof(credential, signer=_web_signer(attacker, "key-1"), created=CREATED)
    doc = did_web_document(DID, [PublishedKey("key-1", old.public_multibase)])
    assert _codes(verify_proofs(signed, resolve_key=StaticKeyResolver({DID: doc}))) == [["signature_invalid"]]


# --- every meaningful mutation of a signed credential fails ---


def _leaves(value: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path]


@pytest.fixture(scope="module")
def signed_alumni() -> dict:
    from tests.crypto.conftest import W3C

    return load_json(W3C / "eddsa-rdfc-2022" / "signedDataInt.json")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_changing_any_signed_value_fails(signed_alumni: dict, data: st.DataObject) -> None:
    doc = copy.deepcopy(signed_alumni)
    body_paths = [p for p in _leaves({k: v for k, v in doc.items() if k != "proof"}) if p[0] != "@context"]
    proof_paths = [("proof", k) for k in doc["proof"] if k != "proofValue"]
    path = data.draw(st.sampled_from(body_paths + proof_paths))
    target = doc
    for step in path[:-1]:
        target = target[step]
    original = target[path[-1]]
    target[path[-1]] = data.draw(st.text(min_size=1, max_size=12).filter(lambda s: s != original))
    [result] = verify_proofs(doc, resolve_key=resolve_did_key)
    assert not result.verified
