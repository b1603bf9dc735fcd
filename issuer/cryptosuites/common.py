"""Pieces shared by the EdDSA cryptosuites: proof values, dates, hashing, problem entries.

VC Data Integrity 1.0 §2.1 (proof properties), §3 (processing errors);
Data Integrity EdDSA Cryptosuites 1.0 §2.2 (proofValue: multibase base58btc of a 64-byte
Ed25519 signature) and §3.2.4 / §3.3.4 (hashData = SHA-256(proof config) || SHA-256(document)).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from issuer import problems as P
from issuer.errors import IssuerError, ProofError
from issuer.multibase import base58btc_decode, multibase_encode

DATA_INTEGRITY_PROOF = "DataIntegrityProof"
SIGNATURE_LENGTH = 64

# DI 1.0 §3 / CID 1.0 §3.4 processing-error types not (yet) named in issuer.problems.
MALFORMED_PROOF_ERROR = P.SEC + "MALFORMED_PROOF_ERROR"
MISMATCHED_PROOF_PURPOSE_ERROR = P.SEC + "MISMATCHED_PROOF_PURPOSE_ERROR"
INVALID_VERIFICATION_METHOD_URL = P.SEC + "INVALID_VERIFICATION_METHOD_URL"
INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID = P.SEC + "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID"
INVALID_VERIFICATION_METHOD = P.SEC + "INVALID_VERIFICATION_METHOD"
INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD = P.SEC + "INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD"

# code -> (ProblemDetails type, title)
PROBLEM_TYPES: dict[str, tuple[str, str]] = {
    "document_malformed": (P.PARSING_ERROR, "The secured document is not a JSON object"),
    "proof_missing": (MALFORMED_PROOF_ERROR, "The document has no proof"),
    "proof_malformed": (MALFORMED_PROOF_ERROR, "The proof is malformed"),
    "proof_type_unsupported": (P.PROOF_VERIFICATION_ERROR, "Unsupported proof type"),
    "cryptosuite_unsupported": (P.PROOF_VERIFICATION_ERROR, "Unsupported cryptosuite"),
    "proof_purpose_mismatch": (MISMATCHED_PROOF_PURPOSE_ERROR, "Unexpected proof purpose"),
    "proof_created_invalid": (MALFORMED_PROOF_ERROR, "Invalid proof creation date"),
    "proof_expires_invalid": (MALFORMED_PROOF_ERROR, "Invalid proof expiry date"),
    "proof_expired": (P.PROOF_VERIFICATION_ERROR, "The proof has expired"),
    "domain_mismatch": (P.INVALID_DOMAIN_ERROR, "Proof domain does not match"),
    "challenge_mismatch": (P.INVALID_CHALLENGE_ERROR, "Proof challenge does not match"),
    "proof_value_encoding": (MALFORMED_PROOF_ERROR, "The proof value is not multibase base58btc"),
    "proof_value_length": (MALFORMED_PROOF_ERROR, "The proof value has the wrong length"),
    "previous_proof_missing": (P.PROOF_VERIFICATION_ERROR, "A previous proof in the chain is missing"),
    "key_unresolvable": (P.PROOF_VERIFICATION_ERROR, "The verification method cannot be resolved"),
    "vm_url_invalid": (INVALID_VERIFICATION_METHOD_URL, "Invalid verification method URL"),
    "controller_document_id_mismatch": (
        INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID, "Controller document id does not match"),
    "vm_controller_mismatch": (INVALID_VERIFICATION_METHOD, "Verification method controller mismatch"),
    "vm_type_unsupported": (INVALID_VERIFICATION_METHOD, "Unsupported verification method type"),
    "key_wrong_multicodec": (INVALID_VERIFICATION_METHOD, "The key is not an Ed25519 public key"),
    "key_malformed": (INVALID_VERIFICATION_METHOD, "The public key encoding is malformed"),
    "key_not_authorized": (
        INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD, "The key is not authorized for this purpose"),
    "proof_transformation": (P.PROOF_TRANSFORMATION_ERROR, "The document cannot be canonicalized"),
    "proof_context_mismatch": (P.PROOF_VERIFICATION_ERROR, "Proof @context does not prefix the document's"),
    "signature_invalid": (P.PROOF_VERIFICATION_ERROR, "The signature is invalid"),
}


def problem(code: str, detail: str, path: str | None = None) -> P.Problem:
    """A ProblemDetails entry for one of our proof problem codes."""
    ptype, title = PROBLEM_TYPES.get(code, (P.PROOF_VERIFICATION_ERROR, "Proof verification failed"))
    return P.Problem(type=ptype, code=code, title=title, detail=detail, path=path)


@dataclass
class ProofResult:
    """The outcome of verifying one proof (DI 1.0 §4.4 "verification result").

    `cryptosuite` is the proof's cryptosuite, or its type for legacy suites that have
    none; `proof_index` is the position in the proof set (0 for a single proof map).
    """

    verified: bool
    cryptosuite: str | None
    verification_method: str | None
    controller: str | None
    problems: list[P.Problem] = field(default_factory=list)
    proof_index: int = 0


class ProofProblem(IssuerError):
    """Internal: a proof check failed with one of the PROBLEM_TYPES codes."""

    code = "proof_invalid"


_DATETIME = re.compile(
    r"-?(?P<year>[0-9]{4,})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})(?P<fraction>\.[0-9]+)?"
    r"(?P<tz>Z|[+-][0-9]{2}:[0-9]{2})?"
)


def parse_xsd_datetime(value: Any) -> datetime | None:
    """An xsd:dateTime (XMLSCHEMA11-2 §3.3.7) as an aware UTC datetime, or None if invalid.

    A value without a timezone is read as UTC (DI 1.0 §2.1 `created`). Years outside
    1..9999 are lexically valid but cannot be compared here, so they count as invalid.
    """
    match = _DATETIME.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    g = match.groupdict()
    end_of_day = g["hour"] == "24"
    if end_of_day and (g["minute"] != "00" or g["second"] != "00" or (g["fraction"] or ".0").strip(".0")):
        return None
    offset = timedelta(0)
    if g["tz"] and g["tz"] != "Z":
        hours, minutes = int(g["tz"][1:3]), int(g["tz"][4:6])
        if minutes > 59 or hours * 60 + minutes > 14 * 60:
            return None
        offset = timedelta(minutes=hours * 60 + minutes) * (1 if g["tz"][0] == "+" else -1)
    try:
        parsed = datetime(int(g["year"]), int(g["month"]), int(g["day"]), 0 if end_of_day else int(g["hour"]),
                          int(g["minute"]), int(g["second"]), tzinfo=timezone(offset))
        return (parsed + timedelta(days=1 if end_of_day else 0)).astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None


def check_created(options: dict[str, Any]) -> None:
    """Proof configuration step: `created`, if present, is a valid xsd:dateTime (EDDSA §3.2.5 step 3)."""
    if "created" in options and parse_xsd_datetime(options["created"]) is None:
        raise ProofError(f"proof created {options['created']!r} is not an xsd:dateTime", code="proof_created_invalid")


def check_type(options: dict[str, Any], cryptosuite: str) -> None:
    """Proof configuration step: type is DataIntegrityProof and cryptosuite is `cryptosuite`."""
    if options.get("type") != DATA_INTEGRITY_PROOF:
        raise ProofError(f"proof type must be {DATA_INTEGRITY_PROOF}", code="proof_type_unsupported")
    if options.get("cryptosuite") != cryptosuite:
        raise ProofError(f"cryptosuite must be {cryptosuite}", code="cryptosuite_unsupported")


def sha256_concat(canonical_proof_config: bytes, transformed_document: bytes) -> bytes:
    """hashData = SHA-256(canonical proof config) || SHA-256(transformed document) (EDDSA §3.2.4)."""
    return hashlib.sha256(canonical_proof_config).digest() + hashlib.sha256(transformed_document).digest()


def encode_proof_value(signature: bytes) -> str:
    """`z` + base58btc(signature) (EDDSA §3.2.1 step 6)."""
    return multibase_encode(signature)


def decode_proof_value(proof: dict[str, Any]) -> bytes:
    """The 64 signature bytes of `proof.proofValue` (EDDSA §3.2.2 step 4)."""
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("proofValue must be a multibase base58btc ('z') string", code="proof_value_encoding")
    try:
        raw = base58btc_decode(value[1:])
    except IssuerError as exc:
        raise ProofError("proofValue is not valid base58btc", code="proof_value_encoding") from exc
    if len(raw) != SIGNATURE_LENGTH:
        raise ProofError(f"proofValue decodes to {len(raw)} bytes, not 64", code="proof_value_length")
    return raw


def ed25519_verify(public_key: bytes, signature: bytes, data: bytes) -> bool:
    """RFC 8032 Ed25519 verification (EDDSA §3.2.7 / §3.3.7 proof verification)."""
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def without(mapping: dict[str, Any], *keys: str) -> dict[str, Any]:
    """A shallow copy of `mapping` without `keys`."""
    return {k: v for k, v in mapping.items() if k not in keys}
