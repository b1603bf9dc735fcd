"""The `eddsa-jcs-2022` cryptosuite: Data Integrity EdDSA Cryptosuites 1.0 §3.3.

RFC 8785 JCS of the document and of the proof configuration (no JSON-LD processing),
each hashed with SHA-256, proof hash first, signed with Ed25519. The proof carries the
document's `@context`; a verifier checks it is a prefix of the document's (§3.3.2).
"""

from __future__ import annotations

from typing import Any

from issuer.canonical import jcs
from issuer.cryptosuites.common import (
    check_created,
    check_type,
    decode_proof_value,
    ed25519_verify,
    encode_proof_value,
    sha256_concat,
    without,
)
from issuer.errors import ProofError
from issuer.keys import Signer

CRYPTOSUITE = "eddsa-jcs-2022"


def create_proof(unsecured_document: dict[str, Any], options: dict[str, Any], signer: Signer) -> dict[str, Any]:
    """EDDSA §3.3.1 Create Proof: options + the document's @context + proofValue."""
    proof = dict(options)
    if "@context" in unsecured_document:
        proof["@context"] = unsecured_document["@context"]
    canonical_proof_config = proof_configuration(proof, unsecured_document)
    transformed_document = transformation(unsecured_document, proof)
    hash_data = hashing(transformed_document, canonical_proof_config)
    proof["proofValue"] = encode_proof_value(proof_serialization(hash_data, signer))
    return proof


def verify_proof(input_document: dict[str, Any], proof: dict[str, Any], public_key: bytes) -> bool:
    """EDDSA §3.3.2 Verify Proof, given the already-retrieved public key bytes.

    When the proof has `@context`, the document's `@context` must start with it, in
    order (`proof_context_mismatch`), and the document is hashed with the proof's.
    """
    proof_options = without(proof, "proofValue")
    proof_bytes = decode_proof_value(proof)
    unsecured_document = dict(input_document)
    if "@context" in proof_options:
        check_context_prefix(proof_options["@context"], input_document.get("@context"))
        unsecured_document["@context"] = proof_options["@context"]
    transformed_document = transformation(unsecured_document, proof_options)
    canonical_proof_config = proof_configuration(proof_options, unsecured_document)
    hash_data = hashing(transformed_document, canonical_proof_config)
    return proof_verification(hash_data, proof_bytes, public_key)


def check_context_prefix(proof_context: Any, document_context: Any) -> None:
    """EDDSA §3.3.2 step 4: the document's @context starts with all of the proof's, in order."""
    as_list = lambda value: value if isinstance(value, list) else [value]  # noqa: E731
    expected, actual = as_list(proof_context), as_list(document_context)
    if actual[: len(expected)] != expected:
        raise ProofError("the document's @context does not start with the proof's", code="proof_context_mismatch")


def transformation(unsecured_document: dict[str, Any], options: dict[str, Any]) -> bytes:
    """EDDSA §3.3.3 Transformation: JCS (RFC 8785) of the document."""
    check_type(options, CRYPTOSUITE)
    return jcs(unsecured_document)


def hashing(transformed_document: bytes, canonical_proof_config: bytes) -> bytes:
    """EDDSA §3.3.4 Hashing: SHA-256(proof config) || SHA-256(document), 64 bytes."""
    return sha256_concat(canonical_proof_config, transformed_document)


def proof_configuration(options: dict[str, Any], unsecured_document: dict[str, Any]) -> bytes:
    """EDDSA §3.3.5 Proof Configuration: JCS of options with the document's @context."""
    check_type(options, CRYPTOSUITE)
    check_created(options)
    proof_config = dict(options)
    if "@context" in unsecured_document:
        proof_config["@context"] = unsecured_document["@context"]
    return jcs(proof_config)


def proof_serialization(hash_data: bytes, signer: Signer) -> bytes:
    """EDDSA §3.3.6 Proof Serialization: the Ed25519 signature of hashData."""
    return signer.sign(hash_data)


def proof_verification(hash_data: bytes, proof_bytes: bytes, public_key: bytes) -> bool:
    """EDDSA §3.3.7 Proof Verification: Ed25519-verify proofBytes over hashData."""
    return ed25519_verify(public_key, proof_bytes, hash_data)
