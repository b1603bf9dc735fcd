"""Legacy `Ed25519Signature2020` proofs, verify only (EDDSA 1.0 Appendix A; OB-IMPL displayers).

The same construction as eddsa-rdfc-2022 (URDNA2015 of the proof options with the
document's @context and of the document, SHA-256 each, proof hash first, Ed25519), but
identified by the proof `type` alone, with no `cryptosuite`. We never create these.
"""

from __future__ import annotations

from typing import Any

from issuer.canonical import rdfc_nquads
from issuer.cryptosuites.common import check_created, decode_proof_value, ed25519_verify, sha256_concat, without
from issuer.cryptosuites.eddsa_rdfc_2022 import canonical_proof_configuration
from issuer.errors import ProofError

PROOF_TYPE = "Ed25519Signature2020"


def verify_proof(input_document: dict[str, Any], proof: dict[str, Any], public_key: bytes) -> bool:
    """Verify an Ed25519Signature2020 proof with the already-retrieved public key bytes."""
    proof_options = without(proof, "proofValue")
    proof_bytes = decode_proof_value(proof)
    transformed_document = transformation(input_document, proof_options)
    canonical_proof_config = proof_configuration(proof_options, input_document)
    hash_data = hashing(transformed_document, canonical_proof_config)
    return proof_verification(hash_data, proof_bytes, public_key)


def transformation(unsecured_document: dict[str, Any], options: dict[str, Any]) -> str:
    """URDNA2015 canonical N-Quads of the document."""
    _check_type(options)
    return rdfc_nquads(unsecured_document)


def hashing(transformed_document: str, canonical_proof_config: str) -> bytes:
    """SHA-256(proof config) || SHA-256(document)."""
    return sha256_concat(canonical_proof_config.encode("utf-8"), transformed_document.encode("utf-8"))


def proof_configuration(options: dict[str, Any], unsecured_document: dict[str, Any]) -> str:
    """Canonical N-Quads of the proof options with the document's @context."""
    _check_type(options)
    check_created(options)
    proof_config = dict(options)
    proof_config["@context"] = unsecured_document.get("@context")
    return canonical_proof_configuration(proof_config)


def proof_verification(hash_data: bytes, proof_bytes: bytes, public_key: bytes) -> bool:
    """Ed25519-verify proofBytes over hashData."""
    return ed25519_verify(public_key, proof_bytes, hash_data)


def _check_type(options: dict[str, Any]) -> None:
    if options.get("type") != PROOF_TYPE:
        raise ProofError(f"proof type must be {PROOF_TYPE}", code="proof_type_unsupported")
