"""Bundled JSON-LD contexts and the closed document loader.

Only the URLs listed in `index.json` resolve; each file is checked against its SHA-256
at first load (VC Data Integrity 1.0 §2.4.1: the core contexts are treated as already
retrieved, with known digests). Nothing is ever fetched.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import resources
from typing import Any

from issuer.errors import ContextError

_PACKAGE = "issuer.contexts"


@lru_cache(maxsize=1)
def index() -> dict[str, dict[str, Any]]:
    """The allowlist: context URL -> {file, sha256, byteExact, ...}."""
    raw = resources.files(_PACKAGE).joinpath("index.json").read_bytes()
    return json.loads(raw)["contexts"]


def known_urls() -> frozenset[str]:
    return frozenset(index())


@lru_cache(maxsize=None)
def _load_bytes(url: str) -> bytes:
    entry = index().get(url)
    if entry is None:
        raise ContextError(f"context {url!r} is not on the bundled allowlist", code="context_unknown")
    data = resources.files(_PACKAGE).joinpath(entry["file"]).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if entry.get("byteExact", True) and digest != entry["sha256"]:
        raise ContextError(
            f"bundled context {url!r} does not match its pinned SHA-256", code="context_digest_mismatch"
        )
    return data


def load_context_bytes(url: str) -> bytes:
    """The exact bytes of the bundled context document for `url` (digest-checked)."""
    return _load_bytes(url)


def load_context(url: str) -> dict[str, Any]:
    """The parsed context document for `url` (a fresh copy; callers may mutate it)."""
    return json.loads(_load_bytes(url))


def document_loader(url: str, options: dict | None = None) -> dict[str, Any]:
    """A pyld-compatible document loader over the bundled contexts only."""
    return {"contextUrl": None, "documentUrl": url, "document": load_context(url)}
