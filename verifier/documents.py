"""Controller documents and verification methods, fetched through the guard (CID 1.0 §3.3).

`GuardedKeyResolver` is the `issuer.dids.KeyResolver` the verifier hands the core:
did:key resolves offline; did:web (did:web method §3.2 "Read") and https key URLs are
fetched with the guarded fetcher. `controller_document` serves the JWT path, which also
needs JWK-typed keys the core does not model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from issuer.dids import VerificationMethod, did_web_document_url, resolve_did_key, verification_method_from_document
from issuer.errors import KeyError_
from verifier.resolvers import Fetcher, HostAllowlist, fetch_json


def controller_document_url(controller: str, did_web_http: HostAllowlist | None = None) -> str:
    """Where a controller document lives: did:web per its method spec, http(s) URLs as they are.

    `did_web_http` names hosts whose did:web documents are read over plain http (a local
    deployment without TLS, e.g. `badgeline up`); the did:web spec itself says https.
    """
    if controller.startswith("did:web:"):
        url = did_web_document_url(controller)
        parts = urlsplit(url)
        if did_web_http is not None and did_web_http.allows(parts.hostname or "", parts.port or 443):
            return "http://" + url[len("https://"):]
        return url
    if controller.startswith(("https://", "http://")):
        return controller
    raise KeyError_(f"cannot dereference {controller!r}: only did:key, did:web and https are supported",
                    code="key_unresolvable")


class GuardedKeyResolver:
    """VM URL -> VerificationMethod; documents come through the guarded (cached) fetcher."""

    def __init__(self, fetcher: Fetcher, *, did_web_http: HostAllowlist | None = None) -> None:
        self.fetcher, self.did_web_http = fetcher, did_web_http

    def __call__(self, vm_url: str) -> VerificationMethod:
        if not isinstance(vm_url, str):
            raise KeyError_("verificationMethod is not a string", code="vm_url_invalid")
        if vm_url.startswith("did:key:"):
            return resolve_did_key(vm_url)
        controller = vm_url.partition("#")[0]
        return verification_method_from_document(vm_url, self.controller_document(controller))

    def controller_document(self, controller: str) -> Mapping[str, Any]:
        """The controller (DID or CID) document for `controller` (a DID or URL without fragment)."""
        document = fetch_json(self.fetcher, controller_document_url(controller, self.did_web_http))
        if not isinstance(document, Mapping):
            raise KeyError_(f"the controller document of {controller} is not a JSON object",
                            code="controller_document_invalid")
        return document


def find_method(document: Mapping[str, Any], vm_url: str) -> tuple[dict[str, Any] | None, frozenset[str]]:
    """The VM map for `vm_url` in `document` (by id, "#frag" ids relative) and its relationships."""
    base = vm_url.partition("#")[0]

    def absolute(ref: Any) -> Any:
        return base + ref if isinstance(ref, str) and ref.startswith("#") else ref

    found: dict[str, Any] | None = None
    relationships: set[str] = set()
    for prop in ("verificationMethod", "assertionMethod", "authentication"):
        entries = document.get(prop, [])
        for entry in entries if isinstance(entries, list) else [entries]:
            entry_id = absolute(entry.get("id")) if isinstance(entry, Mapping) else absolute(entry)
            if entry_id != vm_url:
                continue
            if isinstance(entry, Mapping) and found is None:
                found = dict(entry)
            if prop != "verificationMethod":
                relationships.add(prop)
    return found, frozenset(relationships)
