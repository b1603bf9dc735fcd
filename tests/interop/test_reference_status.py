"""Bitstring Status List interop: our codec and list credentials against the reference's
(@digitalbazaar/vc-bitstring-status-list), and revocation seen through a signed list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from issuer.cryptosuites import add_proof
from issuer.keys import Ed25519Key, did_key_signer
from issuer.status import MIN_ENTRIES, Bitstring, read_status, status_entry, status_list_credential
from tests.spec_data import SPEC_EXAMPLES

SEED = bytes.fromhex("5a" * 32)
KEY = Ed25519Key.from_seed(SEED)
SIGNER = did_key_signer(KEY)
CREATED = "2025-03-01T09:30:00Z"
LIST_URL = "https://issuer.example/status/1"
INDEXES = [0, 7, 8, 94567, MIN_ENTRIES - 1]


def test_reference_encoded_list_decodes_to_the_same_bits(run_node):
    encoded = run_node("status_list.js", {"length": MIN_ENTRIES, "set": INDEXES})["encodedList"]
    bits = Bitstring.decode(encoded)
    expected = Bitstring()
    for i in INDEXES:
        expected.set(i)
    assert bits.to_bytes() == expected.to_bytes()


def test_our_encoded_list_decodes_in_the_reference(run_node):
    bits = Bitstring()
    for i in INDEXES:
        bits.set(i)
    probes = [*INDEXES, 1, 6, 9, 94566, MIN_ENTRIES - 2]
    out = run_node("status_list.js", {"encodedList": bits.encode(), "get": probes})
    assert out["length"] == MIN_ENTRIES
    assert out["status"] == [p in INDEXES for p in probes]


def _signed_list(revoked: list[int]) -> dict:
    bits = Bitstring()
    for i in revoked:
        bits.set(i)
    listing = status_list_credential(
        list_url=LIST_URL, issuer=KEY.did_key, purpose="revocation",
        bitstring=bits, valid_from="2025-01-01T00:00:00Z",
    )
    return add_proof(listing, signer=SIGNER, created=CREATED)


def _signed_badge(index: int) -> dict:
    credential = json.loads(
        SPEC_EXAMPLES.joinpath("ob3/basic-openbadgecredential.json").read_text(encoding="utf-8")
    )
    credential["issuer"]["id"] = KEY.did_key
    credential["credentialStatus"] = status_entry(LIST_URL, index, "revocation")
    return add_proof(credential, signer=SIGNER, created=CREATED)


@pytest.mark.parametrize(("index", "revoked"), [(94567, True), (94566, False)])
def test_reference_reads_revocation_from_our_signed_list(index, revoked, run_node):
    listing = _signed_list([94567])
    badge = _signed_badge(index)
    verdict = run_node("verify.js", {"credential": badge, "statusLists": {LIST_URL: listing}})
    assert verdict == {"verified": True, "error": None, "status": [revoked]}
    assert read_status(listing, badge["credentialStatus"]) == int(revoked)


def test_reference_rejects_a_tampered_list(run_node):
    listing = _signed_list([])
    bits = Bitstring()
    bits.set(94567)
    listing["credentialSubject"]["encodedList"] = bits.encode()  # "revoke" without re-signing
    verdict = run_node("verify.js", {"credential": _signed_badge(94567), "statusLists": {LIST_URL: listing}})
    assert verdict["verified"] is False
    assert "not verified" in verdict["error"]
