"""verify_proofs never raises on bad input: each defect yields one coded ProblemDetails entry."""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import Any

import pytest

from issuer import problems as P
from issuer.cryptosuites import add_proof, verify_proofs
from issuer.cryptosuites.common import PROBLEM_TYPES, parse_xsd_datetime
from issuer.dids import PublishedKey, StaticKeyResolver, did_web_document, resolve_did_key
from issuer.keys import Ed25519Key, Signer, did_key_signer
from issuer.multibase import base58btc_encode
from tests.crypto.conftest import OB, W3C, load_json

SIGNED = W3C / "eddsa-rdfc-2022" / "signedDataInt.json"
DID = "did:web:issuer.example"


def _signed() -> dict[str, Any]:
    return load_json(SIGNED)


def _only_problem(document: Any, **kwargs: Any) -> P.Problem:
    kwargs.setdefault("resolve_key", StaticKeyResolver())
    results = verify_proofs(document, **kwargs)
    assert len(results) == 1 and not results[0].verified
    [found] = results[0].problems
    assert found.type == PROBLEM_TYPES[found.code][0]
    return found


def _with_proof(**changes: Any) -> dict[str, Any]:
    doc = _signed()
    doc["proof"].update(changes)
    return doc


def _without_proof_key(key: str) -> dict[str, Any]:
    doc = _signed()
    del doc["proof"][key]
    return doc


CASES: list[tuple[str, Any, dict[str, Any], str]] = [
    ("not a map", ["a", "list"], {}, "document_malformed"),
    ("no proof", load_json(W3C / "unsigned.json"), {}, "proof_missing"),
    ("empty proof set", {**load_json(W3C / "unsigned.json"), "proof": []}, {}, "proof_missing"),
    ("proof is a string", {**load_json(W3C / "unsigned.json"), "proof": "z123"}, {}, "proof_malformed"),
    ("proof set of strings", {**load_json(W3C / "unsigned.json"), "proof": ["z123"]}, {}, "proof_malformed"),
    ("no verificationMethod", _without_proof_key("verificationMethod"), {}, "proof_malformed"),
    ("no proofPurpose", _without_proof_key("proofPurpose"), {}, "proof_malformed"),
    ("wrong type", _with_proof(type="Ed25519Signature2018"), {}, "proof_type_unsupported"),
    ("no type", _without_proof_key("type"), {}, "proof_type_unsupported"),
    ("unknown cryptosuite", _with_proof(cryptosuite="eddsa-2022"), {}, "cryptosuite_unsupported"),
    ("no cryptosuite", _without_proof_key("cryptosuite"), {}, "cryptosuite_unsupported"),
    ("cryptosuite list", _with_proof(cryptosuite=["eddsa-rdfc-2022"]), {}, "cryptosuite_unsupported"),
    ("purpose", _with_proof(proofPurpose="authentication"), {}, "proof_purpose_mismatch"),
    ("expected purpose", _signed(), {"expected_purpose": "authentication"}, "proof_purpose_mismatch"),
    ("created", _with_proof(created="2023-02-30T23:36:38Z"), {}, "proof_created_invalid"),
    ("created not a date", _with_proof(created="yesterday"), {}, "proof_created_invalid"),
    ("expires", _with_proof(expires="soon"), {}, "proof_expires_invalid"),
    ("expired", _with_proof(expires="2024-01-01T00:00:00Z"),
     {"now": datetime(2025, 1, 1, tzinfo=timezone.utc)}, "proof_expired"),
    ("domain", _signed(), {"domain": "verifier.example"}, "domain_mismatch"),
    ("challenge", _signed(), {"challenge": "abc"}, "challenge_mismatch"),
    ("proofValue base64", _with_proof(proofValue="uAAAA"), {}, "proof_value_encoding"),
    ("proofValue alphabet", _with_proof(proofValue="z0OIl"), {}, "proof_value_encoding"),
    ("proofValue not string", _with_proof(proofValue=42), {}, "proof_value_encoding"),
    ("proofValue missing", _without_proof_key("proofValue"), {}, "proof_value_encoding"),
    ("proofValue short", _with_proof(proofValue="z" + base58btc_encode(b"\x01" * 63)), {}, "proof_value_length"),
    ("signature", _with_proof(proofValue="z" + base58btc_encode(b"\x01" * 64)), {}, "signature_invalid"),
    ("previous proof", _with_proof(previousProof="urn:uuid:gone"), {}, "previous_proof_missing"),
    ("key unresolvable", _with_proof(verificationMethod=f"{DID}#key-1"), {}, "key_unresolvable"),
    ("wrong multicodec", _with_proof(verificationMethod="did:key:zDnaegE6RR3atJtHKwTRTWHsJ3kNHqFwv7n9YjTgmU7TyfU76"),
     {}, "key_wrong_multicodec"),
    ("key malformed", _with_proof(verificationMethod="did:key:z6Mk0000#z6Mk0000"), {}, "key_malformed"),
]


@pytest.mark.parametrize(("name", "document", "kwargs", "code"), CASES, ids=[c[0] for c in CASES])
def test_problem_codes(name: str, document: Any, kwargs: dict, code: str) -> None:
    found = _only_problem(copy.deepcopy(document), **kwargs)
    assert found.code == code, found
    assert found.detail


def test_problem_path_points_at_the_proof() -> None:
    assert _only_problem(_with_proof(proofPurpose="authentication")).path == "/proof"
    doc = _signed()
    doc["proof"] = [doc["proof"], {**doc["proof"], "type": "Nope"}]
    results = verify_proofs(doc, resolve_key=StaticKeyResolver())
    assert results[0].verified and results[1].problems[0].path == "/proof/1"


def test_resolver_exceptions_never_escape() -> None:
    def broken(vm_url: str):
        raise RuntimeError("network down")

    def lying(vm_url: str):
        return {"id": vm_url}

    assert _only_problem(_signed(), resolve_key=broken).code == "key_unresolvable"
    assert _only_problem(_signed(), resolve_key=lying).code == "key_unresolvable"


def _web_document_and_signed(rels: dict[str, list[str]] | None = None) -> tuple[dict, dict]:
    key = Ed25519Key.from_seed(b"\x05" * 32)
    doc = did_web_document(DID, [PublishedKey("key-1", key.public_multibase)])
    if rels is not None:
        doc = {k: v for k, v in doc.items() if k not in ("assertionMethod", "authentication")} | rels
    signed = add_proof(load_json(W3C / "unsigned.json"), signer=Signer(key, f"{DID}#key-1"), created="2025-01-01T00:00:00Z")
    return doc, signed


def test_key_not_authorized_for_assertion() -> None:
    doc, signed = _web_document_and_signed({"authentication": [f"{DID}#key-1"]})
    assert _only_problem(signed, resolve_key=StaticKeyResolver({DID: doc})).code == "key_not_authorized"


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda d: d.update(id="did:web:other.example"), "controller_document_id_mismatch"),
        (lambda d: d["verificationMethod"][0].update(controller="did:web:other.example"), "vm_controller_mismatch"),
        (lambda d: d["verificationMethod"][0].update(type="JsonWebKey2020"), "vm_type_unsupported"),
        (lambda d: d["verificationMethod"][0].update(
            publicKeyMultibase="zDnaegE6RR3atJtHKwTRTWHsJ3kNHqFwv7n9YjTgmU7TyfU76"), "key_wrong_multicodec"),
    ],
)
def test_controller_document_problems(mutate, code: str) -> None:
    doc, signed = _web_document_and_signed()
    mutate(doc)
    assert _only_problem(signed, resolve_key=StaticKeyResolver({DID: doc})).code == code


def test_unknown_context_is_a_transformation_problem() -> None:
    doc = _signed()
    doc["@context"] = [*doc["@context"], "https://evil.example/context.jsonld"]
    found = _only_problem(doc, resolve_key=resolve_did_key)
    assert found.code == "proof_transformation"
    assert "[context_unknown]" in found.detail


def test_undefined_term_is_a_transformation_problem(w3c_key: Ed25519Key) -> None:
    # The OB context has no @vocab, so a term it does not define must fail (safe mode),
    # never be dropped from what the signature covers.
    unsigned = load_json(OB / "unsigned-credential.json")
    unsigned["issuer"] = w3c_key.did_key
    doc = add_proof(unsigned, signer=did_key_signer(w3c_key), created="2026-01-01T00:00:00Z")
    doc["credentialSubject"]["undefinedTerm"] = "would be silently dropped without safe mode"
    found = _only_problem(doc, resolve_key=resolve_did_key)
    assert found.code == "proof_transformation"
    assert "[jsonld_undefined_term]" in found.detail


def test_signing_with_an_unknown_context_raises_a_coded_error(w3c_key: Ed25519Key) -> None:
    from issuer.errors import IssuerError

    unsigned = load_json(W3C / "unsigned.json")
    unsigned["@context"].append("https://evil.example/context.jsonld")
    with pytest.raises(IssuerError) as info:
        add_proof(unsigned, signer=did_key_signer(w3c_key), created=None)
    assert info.value.code == "context_unknown"


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2023-02-24T23:36:38Z", True), ("2023-02-24T23:36:38.123+05:30", True), ("2023-02-24T23:36:38", True),
        ("2023-12-31T24:00:00Z", True), ("2023-02-29T00:00:00Z", False), ("2023-02-24 23:36:38Z", False),
        ("2023-02-24T23:36:38+15:00", False), ("2023-02-24T24:00:01Z", False), ("2023-02-24", False),
        ("2023-02-24T23:36:60Z", False), (20230224, False), ("", False),
    ],
)
def test_xsd_datetime(value: Any, valid: bool) -> None:
    assert (parse_xsd_datetime(value) is not None) is valid


def test_xsd_datetime_normalizes_to_utc() -> None:
    assert parse_xsd_datetime("2023-12-31T24:00:00+01:00") == datetime(2023, 12, 31, 23, 0, tzinfo=timezone.utc)


def test_every_problem_code_has_a_test() -> None:
    tested = {c[3] for c in CASES} | {
        "key_not_authorized", "controller_document_id_mismatch", "vm_controller_mismatch", "vm_type_unsupported",
        "proof_transformation", "vm_url_invalid",
        "proof_context_mismatch",  # in test_vectors_other.py
    }
    assert set(PROBLEM_TYPES) <= tested


def test_vm_url_without_fragment_on_a_controller_document() -> None:
    doc, signed = _web_document_and_signed()
    signed["proof"]["verificationMethod"] = DID
    assert _only_problem(signed, resolve_key=StaticKeyResolver({DID: doc})).code == "vm_url_invalid"
