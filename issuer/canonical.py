"""Canonical forms the cryptosuites hash: RDFC-1.0 N-Quads and RFC 8785 JCS.

`rdfc_nquads` is the single entry point for JSON-LD -> canonical N-Quads. It resolves
contexts only through the bundled loader (issuer.contexts) and runs in safe mode: a term
or type that no context defines is an error, never silently dropped.

Both run in this process with no network: `rdfc_nquads` is `issuer.jsonld.canonical_nquads`
(our JSON-LD 1.1 expansion + RDFC-1.0, checked byte for byte against pyld and the W3C and
OB test vectors in tests/jsonld/).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import rfc8785

from issuer.errors import JsonLdError
from issuer.jsondoc import check_depth
from issuer.jsonld import canonical_nquads
from issuer.jsonld.literals import as_double


_reused: ContextVar[dict[str, str] | None] = ContextVar("reused_canonical_forms", default=None)


@contextmanager
def reusing_canonical_forms() -> Iterator[None]:
    """Inside the block, `rdfc_nquads` of a document identical to one it already canonicalized
    in the block (same JSON text: same keys in the same order, same values) returns the earlier
    result instead of computing it again.

    The canonical form is a pure function of the document (bundled contexts, no network), so
    the answer is the same; only the time differs. Issuance signs and then verifies the same
    document: this halves the canonicalizations of a self-check without skipping any check
    (`pipeline.issuance.sign_and_check`). Nothing outlives the block, and a verifier serving
    strangers never runs inside one."""
    token = _reused.set({})
    try:
        yield
    finally:
        _reused.reset(token)


def rdfc_nquads(document: dict[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document (bundled contexts only).

    Raises ContextError for a context outside the bundle, JsonLdError (specific code) for
    anything safe mode rejects.
    """
    memo = _reused.get()
    if memo is None:
        return canonical_nquads(document)
    try:
        key = json.dumps(document, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):  # not plain JSON: compute (and let it fail) as usual
        return canonical_nquads(document)
    found = memo.get(key)
    if found is None:
        found = memo[key] = canonical_nquads(document)
    return found


def _ieee_numbers(value: Any) -> Any:
    """`value` with every integer of magnitude >= 2^53 as the IEEE double it denotes (RFC 8785 §3.2.2.3:
    JSON numbers are read as doubles); smaller integers are exact already."""
    if isinstance(value, dict):
        return {k: _ieee_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ieee_numbers(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**53:
        return as_double(value)
    return value


def jcs(value: Any) -> bytes:
    """RFC 8785 JSON Canonicalization Scheme bytes of `value` (nesting limit: `issuer.jsondoc`)."""
    check_depth(value)
    try:
        return rfc8785.dumps(_ieee_numbers(value))
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise JsonLdError(f"value cannot be JCS-canonicalized: {exc}", code="jcs_invalid") from exc
