"""DID documents (did:key, did:web) and verification-method retrieval (CID 1.0 §3.3).

Nothing here touches the network: did:key resolves from the identifier itself, and
other documents come in through a resolver (e.g. `StaticKeyResolver`, or the verifier's
guarded HTTP resolver) that the caller supplies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from issuer.errors import IssuerError, KeyError_
from issuer.multibase import decode_ed25519_public_multikey

DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
RELATIONSHIPS = ("authentication", "assertionMethod", "capabilityInvocation", "capabilityDelegation", "keyAgreement")
# Ed25519VerificationKey2020 is accepted for legacy (Ed25519Signature2020) proofs only.
ACCEPTED_VM_TYPES = frozenset({"Multikey", "Ed25519VerificationKey2020"})


@dataclass(frozen=True)
class VerificationMethod:
    """A retrieved verification method and the relationships its controller document grants it."""

    id: str
    type: str
    controller: str
    public_key: bytes
    relationships: frozenset[str]


KeyResolver = Callable[[str], VerificationMethod]
"""VM URL -> VerificationMethod; raises an `IssuerError` with a code when it cannot."""


def did_key_document(public_multibase: str) -> dict[str, Any]:
    """The did:key DID document for an Ed25519 Multikey (did:key method §3.1, CID Multikey form)."""
    decode_ed25519_public_multikey(public_multibase)
    did = "did:key:" + public_multibase
    vm_id = f"{did}#{public_multibase}"
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": public_multibase}
        ],
        "authentication": [vm_id],
        "assertionMethod": [vm_id],
        "capabilityInvocation": [vm_id],
        "capabilityDelegation": [vm_id],
    }


def did_web_from_url(base_url: str) -> str:
    """The did:web DID for an https base URL (did:web method §3.2 "Create").

    "https://ex.org:8443/issuers/a" -> "did:web:ex.org%3A8443:issuers:a".
    """
    parts = urlsplit(base_url)
    if parts.scheme != "https" or not parts.hostname:
        raise KeyError_(f"did:web needs an https URL with a host, got {base_url!r}", code="did_web_invalid")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise KeyError_("did:web URLs carry no query, fragment or credentials", code="did_web_invalid")
    domain = parts.hostname + (f"%3A{parts.port}" if parts.port else "")
    segments = [s for s in parts.path.split("/") if s]
    if any(":" in s for s in segments):
        raise KeyError_("did:web path segments cannot contain ':'", code="did_web_invalid")
    return ":".join(["did:web", domain, *segments])


def did_web_document_url(did: str) -> str:
    """The https URL of a did:web DID document (did:web method §3.2 "Read")."""
    if not isinstance(did, str) or not did.startswith("did:web:") or any(c in did for c in "#?/"):
        raise KeyError_(f"{did!r} is not a did:web DID", code="did_web_invalid")
    domain, *segments = did[len("did:web:"):].split(":")
    host = domain.replace("%3A", ":").replace("%3a", ":")
    if not host or any(not s for s in segments):
        raise KeyError_(f"{did!r} is not a did:web DID", code="did_web_invalid")
    path = "/".join(segments) + "/did.json" if segments else ".well-known/did.json"
    return f"https://{host}/{path}"


@dataclass(frozen=True)
class PublishedKey:
    """One key an issuer publishes in its DID document; `retired` keys no longer sign."""

    fragment: str
    public_multibase: str
    retired: bool = False


def did_web_document(did: str, keys: Sequence[PublishedKey]) -> dict[str, Any]:
    """A did:web DID document listing every published key as a Multikey VM.

    Rotation policy: a retired key stays in `verificationMethod` and `assertionMethod`, so
    credentials it signed keep verifying (DI 1.0 verifiers resolve the current document);
    only current keys are under `authentication`. A compromised key must be removed from
    `keys` altogether, after which proofs made with it fail as unresolvable.
    """
    did_web_document_url(did)
    fragments = [k.fragment for k in keys]
    if len(set(fragments)) != len(fragments):
        raise KeyError_("published key fragments must be unique", code="did_document_invalid")
    methods = []
    for key in keys:
        if not key.fragment or any(c in key.fragment for c in "#/?: "):
            raise KeyError_(f"invalid key fragment {key.fragment!r}", code="did_document_invalid")
        decode_ed25519_public_multikey(key.public_multibase)
        methods.append(
            {"id": f"{did}#{key.fragment}", "type": "Multikey", "controller": did,
             "publicKeyMultibase": key.public_multibase}
        )
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "authentication": [m["id"] for m, k in zip(methods, keys) if not k.retired],
        "assertionMethod": [m["id"] for m in methods],
    }


def verification_method_from_document(vm_url: str, document: Mapping[str, Any]) -> VerificationMethod:
    """Retrieve a verification method from its controller document (CID 1.0 §3.3).

    Checks: the document `id` is the VM URL without its fragment; the VM's `id` is the VM
    URL; its `controller` is the document; its type is Multikey (or the legacy
    Ed25519VerificationKey2020) with an Ed25519 key. A VM id or reference may be relative
    ("#frag") to the document. Relationships are computed from the document (by
    reference or embedded); the caller checks the one it needs.
    """
    base, _, fragment = vm_url.partition("#") if isinstance(vm_url, str) else ("", "", "")
    if not base or not fragment:
        raise KeyError_(f"{vm_url!r} is not a verification method URL", code="vm_url_invalid")
    if not isinstance(document, Mapping) or document.get("id") != base:
        raise KeyError_(
            f"controller document id does not match {base!r}", code="controller_document_id_mismatch"
        )
    method, relationships = _find_method(vm_url, document)
    if method is None:
        raise KeyError_(f"{vm_url} is not in its controller document", code="key_unresolvable")
    if _absolute(method.get("controller"), base) != base:
        raise KeyError_(f"{vm_url} is not controlled by {base}", code="vm_controller_mismatch")
    vm_type = method.get("type")
    if vm_type not in ACCEPTED_VM_TYPES:
        raise KeyError_(f"verification method type {vm_type!r} is not supported", code="vm_type_unsupported")
    public_key = decode_ed25519_public_multikey(method.get("publicKeyMultibase"))
    return VerificationMethod(vm_url, vm_type, base, public_key, frozenset(relationships))


def _absolute(ref: Any, base: str) -> Any:
    return base + ref if isinstance(ref, str) and ref.startswith("#") else ref


def _find_method(vm_url: str, document: Mapping[str, Any]) -> tuple[dict[str, Any] | None, set[str]]:
    base = vm_url.partition("#")[0]
    found: dict[str, Any] | None = None
    relationships: set[str] = set()
    for prop in ("verificationMethod", *RELATIONSHIPS):
        entries = document.get(prop, [])
        for entry in entries if isinstance(entries, list) else [entries]:
            if isinstance(entry, Mapping) and _absolute(entry.get("id"), base) == vm_url:
                found = found or dict(entry)
                if prop != "verificationMethod":
                    relationships.add(prop)
            elif _absolute(entry, base) == vm_url and prop != "verificationMethod":
                relationships.add(prop)
    return found, relationships


def resolve_did_key(vm_url: str) -> VerificationMethod:
    """Resolve a did:key verification method offline (did:key method §3.1.2).

    The fragment must equal the multibase key. A bare `did:key:<mb>` (seen in the
    Bitstring Status List examples) is taken as its one verification method.
    """
    if not isinstance(vm_url, str) or not vm_url.startswith("did:key:"):
        raise KeyError_(f"{vm_url!r} is not a did:key URL", code="key_unresolvable")
    did, _, fragment = vm_url.partition("#")
    public_multibase = did[len("did:key:"):]
    if fragment and fragment != public_multibase:
        raise KeyError_(f"did:key fragment does not match its key in {vm_url}", code="key_unresolvable")
    public_key = decode_ed25519_public_multikey(public_multibase)
    return VerificationMethod(
        id=f"{did}#{public_multibase}",
        type="Multikey",
        controller=did,
        public_key=public_key,
        relationships=frozenset(RELATIONSHIPS) - {"keyAgreement"},
    )


class StaticKeyResolver:
    """A `KeyResolver` over documents held in memory, keyed by document URL.

    did:key URLs resolve natively. A did:web document may be keyed by its DID or by its
    https document URL. Anything else is `key_unresolvable`.
    """

    def __init__(self, documents: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._documents = dict(documents or {})

    def add(self, url: str, document: Mapping[str, Any]) -> None:
        self._documents[url] = document

    def __call__(self, vm_url: str) -> VerificationMethod:
        if isinstance(vm_url, str) and vm_url.startswith("did:key:"):
            return resolve_did_key(vm_url)
        base = vm_url.partition("#")[0] if isinstance(vm_url, str) else ""
        document = self._documents.get(base)
        if document is None and base.startswith("did:web:"):
            try:
                document = self._documents.get(did_web_document_url(base))
            except IssuerError:
                document = None
        if document is None:
            raise KeyError_(f"no controller document for {vm_url!r}", code="key_unresolvable")
        return verification_method_from_document(vm_url, document)
