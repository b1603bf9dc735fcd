"""Canonical forms the cryptosuites hash: RDFC-1.0 N-Quads and RFC 8785 JCS.

`rdfc_nquads` is the single entry point for JSON-LD -> canonical N-Quads. It resolves
contexts only through the bundled loader (issuer.contexts) and runs in safe mode: a term
or type that no context defines is an error, never silently dropped.

NOTE: this first version delegates to pyld; issuer.jsonld replaces it with a faster,
safe-mode implementation checked against pyld (same signature).
"""

from __future__ import annotations

from typing import Any

import rfc8785
from pyld import jsonld

from issuer.contexts import document_loader
from issuer.errors import ContextError, JsonLdError


def rdfc_nquads(document: dict[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document (bundled contexts only)."""
    try:
        return jsonld.normalize(
            document,
            {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": document_loader},
        )
    except jsonld.JsonLdError as exc:
        cause = exc
        while cause is not None:
            if isinstance(cause, ContextError):
                raise cause from exc
            cause = getattr(cause, "cause", None) or cause.__cause__
        raise JsonLdError(f"JSON-LD processing failed: {exc.type if hasattr(exc, 'type') else exc}") from exc


def jcs(value: Any) -> bytes:
    """RFC 8785 JSON Canonicalization Scheme bytes of `value`."""
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise JsonLdError(f"value cannot be JCS-canonicalized: {exc}", code="jcs_invalid") from exc
