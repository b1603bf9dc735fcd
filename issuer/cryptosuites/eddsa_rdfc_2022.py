"""The `eddsa-rdfc-2022` cryptosuite: Data Integrity EdDSA Cryptosuites 1.0 §3.2.

RDFC-1.0 canonical N-Quads of the document and of the proof configuration, each hashed
with SHA-256, proof hash first, signed with Ed25519. Canonicalization goes through
`issuer.canonical.rdfc_nquads` (bundled contexts only, safe mode).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from issuer.canonical import rdfc_nquads
from issuer.cryptosuites.common import (
    check_created,
    check_type,
    decode_proof_value,
    ed25519_verify,
    encode_proof_value,
    sha256_concat,
    without,
)
from issuer.keys import Signer

CRYPTOSUITE = "eddsa-rdfc-2022"


def create_proof(unsecured_document: dict[str, Any], options: dict[str, Any], signer: Signer) -> dict[str, Any]:
    """EDDSA §3.2.1 Create Proof: the proof map (options + proofValue)."""
    proof = dict(options)
    canonical_proof_config = proof_configuration(options, unsecured_document)
    transformed_document = transformation(unsecured_document, options)
    hash_data = hashing(transformed_document, canonical_proof_config)
    proof["proofValue"] = encode_proof_value(proof_serialization(hash_data, signer))
    return proof


def verify_proof(input_document: dict[str, Any], proof: dict[str, Any], public_key: bytes) -> bool:
    """EDDSA §3.2.2 Verify Proof, given the already-retrieved public key bytes.

    `input_document` is the secured document without the proof being verified (with
    any previous proofs of a chain, DI 1.0 §4.5). Malformed proofs raise `ProofError`.
    """
    proof_options = without(proof, "proofValue")
    proof_bytes = decode_proof_value(proof)
    transformed_document = transformation(input_document, proof_options)
    canonical_proof_config = proof_configuration(proof_options, input_document)
    hash_data = hashing(transformed_document, canonical_proof_config)
    return proof_verification(hash_data, proof_bytes, public_key)


def transformation(unsecured_document: dict[str, Any], options: dict[str, Any]) -> str:
    """EDDSA §3.2.3 Transformation: RDFC-1.0 canonical N-Quads of the document."""
    check_type(options, CRYPTOSUITE)
    return rdfc_nquads(unsecured_document)


def hashing(transformed_document: str, canonical_proof_config: str) -> bytes:
    """EDDSA §3.2.4 Hashing: SHA-256(proof config) || SHA-256(document), 64 bytes."""
    return sha256_concat(canonical_proof_config.encode("utf-8"), transformed_document.encode("utf-8"))


def proof_configuration(options: dict[str, Any], unsecured_document: dict[str, Any]) -> str:
    """EDDSA §3.2.5 Proof Configuration: canonical N-Quads of options + the document's @context."""
    check_type(options, CRYPTOSUITE)
    check_created(options)
    proof_config = dict(options)
    proof_config["@context"] = unsecured_document.get("@context")
    return canonical_proof_configuration(proof_config)


def canonical_proof_configuration(proof_config: dict[str, Any]) -> str:
    """RDFC-1.0 N-Quads of a proof configuration, memoized.

    The result depends only on the JSON value (the bundled contexts are fixed), so equal
    inputs share one canonicalization. Configurations that differ only in `created` share
    one too: it is canonicalized once with a placeholder date, which is then replaced by
    the real one. That is exact only when the output has a single blank node, the
    placeholder occurs once, and the lines stay in RDFC order; otherwise the full
    algorithm runs.
    """
    created = proof_config.get("created")
    if isinstance(created, str) and _PLAIN_DATETIME.fullmatch(created):
        template = _canonical_by_json(_json({**proof_config, "created": _PLACEHOLDER}))
        filled = _fill_created(template, created)
        if filled is not None:
            return filled
    return _canonical_by_json(_json(proof_config))


_PLACEHOLDER = "1111-11-11T11:11:11Z"
# Only characters that N-Quads never escapes, so the literal appears verbatim in the output.
_PLAIN_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?")


def _fill_created(template: str, created: str) -> str | None:
    if template.count(_PLACEHOLDER) != 1 or "_:c14n1" in template:
        return None
    lines = template.replace(_PLACEHOLDER, created).splitlines(keepends=True)
    return "".join(lines) if lines == sorted(lines) else None


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@lru_cache(maxsize=1024)
def _canonical_by_json(proof_config_json: str) -> str:
    return rdfc_nquads(json.loads(proof_config_json))


def proof_serialization(hash_data: bytes, signer: Signer) -> bytes:
    """EDDSA §3.2.6 Proof Serialization: the Ed25519 signature of hashData."""
    return signer.sign(hash_data)


def proof_verification(hash_data: bytes, proof_bytes: bytes, public_key: bytes) -> bool:
    """EDDSA §3.2.7 Proof Verification: Ed25519-verify proofBytes over hashData."""
    return ed25519_verify(public_key, proof_bytes, hash_data)
