"""did:key and did:web documents, and verification-method retrieval (CID 1.0 §3.3)."""

from __future__ import annotations

import copy

import pytest

from issuer.dids import (
    PublishedKey,
    StaticKeyResolver,
    VerificationMethod,
    did_key_document,
    did_web_document,
    did_web_document_url,
    did_web_from_url,
    resolve_did_key,
    verification_method_from_document,
)
from issuer.errors import IssuerError, KeyError_
from issuer.keys import Ed25519Key

MB = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
DID = "did:web:issuer.example:issuers:pharmacy"


def _code(fn, *args) -> str:
    with pytest.raises(IssuerError) as info:
        fn(*args)
    return info.value.code


def test_did_key_document_shape() -> None:
    doc = did_key_document(MB)
    vm_id = f"did:key:{MB}#{MB}"
    assert doc["id"] == f"did:key:{MB}"
    assert doc["verificationMethod"] == [
        {"id": vm_id, "type": "Multikey", "controller": f"did:key:{MB}", "publicKeyMultibase": MB}
    ]
    for rel in ("authentication", "assertionMethod", "capabilityInvocation", "capabilityDelegation"):
        assert doc[rel] == [vm_id]
    assert doc["@context"] == ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


def test_did_key_document_agrees_with_offline_resolution() -> None:
    vm_url = f"did:key:{MB}#{MB}"
    assert verification_method_from_document(vm_url, did_key_document(MB)) == resolve_did_key(vm_url)


def test_resolve_did_key() -> None:
    vm = resolve_did_key(f"did:key:{MB}#{MB}")
    assert vm.controller == f"did:key:{MB}" and vm.type == "Multikey"
    assert "assertionMethod" in vm.relationships and "keyAgreement" not in vm.relationships
    assert resolve_did_key(f"did:key:{MB}") == vm  # bare DID: its one key (BSL examples)


@pytest.mark.parametrize(
    ("vm_url", "code"),
    [
        (f"did:key:{MB}#other", "key_unresolvable"),
        ("did:web:example.com#key-1", "key_unresolvable"),
        ("did:key:zDnaegE6RR3atJtHKwTRTWHsJ3kNHqFwv7n9YjTgmU7TyfU76", "key_wrong_multicodec"),
        ("did:key:notmultibase", "multibase_unsupported"),
    ],
)
def test_resolve_did_key_errors(vm_url: str, code: str) -> None:
    assert _code(resolve_did_key, vm_url) == code


@pytest.mark.parametrize(
    ("url", "did"),
    [
        ("https://ex.org:8443/issuers/a", "did:web:ex.org%3A8443:issuers:a"),
        ("https://ex.org", "did:web:ex.org"),
        ("https://ex.org/", "did:web:ex.org"),
        ("https://Issuer.Example/x/", "did:web:issuer.example:x"),
    ],
)
def test_did_web_from_url(url: str, did: str) -> None:
    assert did_web_from_url(url) == did


@pytest.mark.parametrize("url", ["http://ex.org", "https://ex.org/a?b=1", "https://ex.org/#f", "ftp://ex.org", "https://ex.org/a:b"])
def test_did_web_from_url_rejects(url: str) -> None:
    assert _code(did_web_from_url, url) == "did_web_invalid"


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"),
    ],
)
def test_did_web_document_url(did: str, url: str) -> None:
    """The examples of the did:web method §3.2 (Read)."""
    assert did_web_document_url(did) == url


@pytest.mark.parametrize("did", ["did:key:z6Mk", "did:web:", "did:web:ex.org#k", "did:web:ex.org::a"])
def test_did_web_document_url_rejects(did: str) -> None:
    assert _code(did_web_document_url, did) == "did_web_invalid"


def _rotated_document() -> tuple[dict, Ed25519Key, Ed25519Key]:
    old, new = Ed25519Key.from_seed(b"\x01" * 32), Ed25519Key.from_seed(b"\x02" * 32)
    doc = did_web_document(DID, [PublishedKey("key-1", old.public_multibase, retired=True),
                                 PublishedKey("key-2", new.public_multibase)])
    return doc, old, new


def test_did_web_document_lists_current_and_retired_keys() -> None:
    doc, old, new = _rotated_document()
    assert doc["id"] == DID
    assert [m["id"] for m in doc["verificationMethod"]] == [f"{DID}#key-1", f"{DID}#key-2"]
    assert all(m["type"] == "Multikey" and m["controller"] == DID for m in doc["verificationMethod"])
    assert doc["assertionMethod"] == [f"{DID}#key-1", f"{DID}#key-2"]
    assert doc["authentication"] == [f"{DID}#key-2"]
    retired = verification_method_from_document(f"{DID}#key-1", doc)
    assert retired.public_key == old.public_bytes and retired.relationships == {"assertionMethod"}
    current = verification_method_from_document(f"{DID}#key-2", doc)
    assert current.relationships == {"assertionMethod", "authentication"}


@pytest.mark.parametrize(
    "keys",
    [
        [PublishedKey("k", MB), PublishedKey("k", MB)],
        [PublishedKey("", MB)],
        [PublishedKey("a#b", MB)],
    ],
)
def test_did_web_document_rejects_bad_keys(keys: list[PublishedKey]) -> None:
    assert _code(did_web_document, DID, keys) == "did_document_invalid"


def test_did_web_document_rejects_non_ed25519_key() -> None:
    keys = [PublishedKey("k", "zDnaegE6RR3atJtHKwTRTWHsJ3kNHqFwv7n9YjTgmU7TyfU76")]
    assert _code(did_web_document, DID, keys) == "key_wrong_multicodec"


def _doc() -> dict:
    return copy.deepcopy(_rotated_document()[0])


def test_vm_from_document_cid_checks() -> None:
    vm_url = f"{DID}#key-2"
    doc = _doc()
    doc["id"] = "did:web:elsewhere.example"
    assert _code(verification_method_from_document, vm_url, doc) == "controller_document_id_mismatch"
    doc = _doc()
    doc["verificationMethod"][1]["controller"] = "did:web:elsewhere.example"
    assert _code(verification_method_from_document, vm_url, doc) == "vm_controller_mismatch"
    doc = _doc()
    doc["verificationMethod"][1]["type"] = "JsonWebKey"
    assert _code(verification_method_from_document, vm_url, doc) == "vm_type_unsupported"
    doc = _doc()
    doc["verificationMethod"][1]["publicKeyMultibase"] = "zDnaegE6RR3atJtHKwTRTWHsJ3kNHqFwv7n9YjTgmU7TyfU76"
    assert _code(verification_method_from_document, vm_url, doc) == "key_wrong_multicodec"
    assert _code(verification_method_from_document, f"{DID}#key-9", _doc()) == "key_unresolvable"
    assert _code(verification_method_from_document, DID, _doc()) == "vm_url_invalid"


def test_vm_from_document_relative_ids_and_embedded_methods() -> None:
    key = Ed25519Key.from_seed(b"\x03" * 32)
    doc = {
        "id": DID,
        "verificationMethod": [],
        "assertionMethod": [{"id": "#k", "type": "Multikey", "controller": DID, "publicKeyMultibase": key.public_multibase}],
        "authentication": ["#k"],
    }
    vm = verification_method_from_document(f"{DID}#k", doc)
    assert vm == VerificationMethod(f"{DID}#k", "Multikey", DID, key.public_bytes, frozenset({"assertionMethod", "authentication"}))


def test_vm_listed_only_in_verification_method_has_no_relationship() -> None:
    doc = _doc()
    doc["assertionMethod"] = [f"{DID}#key-2"]
    assert verification_method_from_document(f"{DID}#key-1", doc).relationships == frozenset()


def test_static_resolver_by_did_or_document_url() -> None:
    doc = _doc()
    by_did = StaticKeyResolver({DID: doc})
    by_url = StaticKeyResolver({did_web_document_url(DID): doc})
    assert by_did(f"{DID}#key-2") == by_url(f"{DID}#key-2")
    assert by_did(f"did:key:{MB}#{MB}").controller == f"did:key:{MB}"
    with pytest.raises(KeyError_) as info:
        StaticKeyResolver()(f"{DID}#key-2")
    assert info.value.code == "key_unresolvable"
    resolver = StaticKeyResolver()
    resolver.add("https://issuer.example/profile", {"id": "https://issuer.example/profile"})
    with pytest.raises(KeyError_) as info:
        resolver("https://issuer.example/profile#k")
    assert info.value.code == "key_unresolvable"
