"""Interop with the W3C reference implementation (@digitalbazaar/vc, eddsa-rdfc-2022), both ways.

Ed25519 is deterministic and both sides hash the same RDFC-1.0 canonical forms, so the
reference's proofValue and ours must be byte-identical for the same key and `created`.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from issuer.cryptosuites import add_proof, verify_proofs
from issuer.dids import resolve_did_key
from issuer.keys import Ed25519Key, did_key_signer
from tests.spec_data import SPEC_EXAMPLES

EXAMPLES = SPEC_EXAMPLES
SEED = bytes.fromhex("9b" * 16 + "17" * 16)
CREATED = "2025-03-01T09:30:00Z"

KEY = Ed25519Key.from_seed(SEED)
SIGNER = did_key_signer(KEY)


def _load(relative: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / relative).read_text(encoding="utf-8"))


def _issued_by_key(credential: dict[str, Any]) -> dict[str, Any]:
    """The credential with its issuer set to the key's DID (the reference checks the binding)."""
    credential = copy.deepcopy(credential)
    if isinstance(credential["issuer"], dict):
        credential["issuer"]["id"] = KEY.did_key
    else:
        credential["issuer"] = KEY.did_key
    return credential


def alumni() -> dict[str, Any]:
    return _issued_by_key(_load("vc-di-eddsa/unsigned.json"))


def open_badge() -> dict[str, Any]:
    return _issued_by_key(_load("ob3/basic-openbadgecredential.json"))


CREDENTIALS = {"w3c-alumni": alumni, "ob3-basic": open_badge}


def _ours(credential: dict[str, Any]) -> dict[str, Any]:
    return add_proof(credential, signer=SIGNER, created=CREATED, cryptosuite="eddsa-rdfc-2022")


def _we_verify(secured: dict[str, Any]) -> bool:
    results = verify_proofs(secured, resolve_key=resolve_did_key)
    return bool(results) and all(r.verified for r in results)


@pytest.mark.parametrize("make", CREDENTIALS.values(), ids=CREDENTIALS.keys())
def test_reference_signed_verifies_with_us_and_matches_our_proof_byte_for_byte(make, reference_sign):
    theirs = reference_sign(make(), seed=SEED, created=CREATED)
    assert theirs["proof"]["verificationMethod"] == KEY.did_key_verification_method
    assert _we_verify(theirs)
    ours = _ours(make())
    assert ours["proof"] == theirs["proof"]
    assert ours == theirs


@pytest.mark.parametrize("make", CREDENTIALS.values(), ids=CREDENTIALS.keys())
def test_we_sign_and_the_reference_verifies(make, reference_verify):
    verdict = reference_verify(_ours(make()))
    assert verdict == {"verified": True, "error": None}


@pytest.mark.parametrize("make", CREDENTIALS.values(), ids=CREDENTIALS.keys())
def test_tampering_after_signing_fails_on_both_sides(make, reference_verify):
    tampered = _ours(make())
    tampered["name"] = tampered.get("name", "") + "!"
    assert reference_verify(tampered)["verified"] is False
    assert not _we_verify(tampered)


def test_the_harness_never_fetches_unbundled_contexts(reference_verify):
    secured = _ours(alumni())
    secured["@context"] = [*secured["@context"], "https://contexts.invalid/not-bundled/v1"]
    verdict = reference_verify(secured)
    assert verdict["verified"] is False
    assert "not bundled" in verdict["error"]


TRICKY_STRINGS = {
    "tab-newline-cr": "line one\nline two\r\n\ttabbed",
    "c0-controls": "".join(chr(c) for c in range(0x00, 0x20)),
    "del-and-c1": "\x7f\x80\x85\x9f",
    "quote-backslash": 'say "hi" \\ back\\slash \\u0041',
    "non-ascii": "Pharmacie – Émilie Ørsted, 藥劑師, Фармацевт, 😀",
    "line-separators": "a\u2028b\u2029c\ufeffd\u200de",
    "noncharacters": "\ufffe\uffff\U0010ffff",
}


def _with_strings(make, text: str) -> dict[str, Any]:
    credential = make()
    credential["name"] = text
    credential["description"] = "prefix " + text + " suffix"
    subject = credential["credentialSubject"]
    if "achievement" in subject:
        subject["achievement"]["name"] = text
        subject["achievement"]["criteria"]["narrative"] = text * 2
    else:
        subject["alumniOf"] = text
    return credential


@pytest.mark.parametrize("text", TRICKY_STRINGS.values(), ids=TRICKY_STRINGS.keys())
@pytest.mark.parametrize("make", CREDENTIALS.values(), ids=CREDENTIALS.keys())
def test_control_and_non_ascii_strings_interoperate(make, text, reference_sign, reference_verify):
    credential = _with_strings(make, text)
    theirs = reference_sign(credential, seed=SEED, created=CREATED)
    ours = _ours(credential)
    assert reference_verify(ours) == {"verified": True, "error": None}
    assert _we_verify(theirs)
    assert ours["proof"]["proofValue"] == theirs["proof"]["proofValue"]


@pytest.mark.parametrize("make", CREDENTIALS.values(), ids=CREDENTIALS.keys())
def test_a_proof_set_of_one_verifies_on_both_sides(make, reference_verify):
    # What badgeline issues: `proof` as a one-element array (the OB 3.0 schema types it as an array).
    secured = add_proof(make(), signer=SIGNER, created=CREATED, cryptosuite="eddsa-rdfc-2022", as_set=True)
    assert isinstance(secured["proof"], list) and len(secured["proof"]) == 1
    assert secured["proof"][0] == _ours(make())["proof"]
    assert _we_verify(secured)
    assert reference_verify(secured) == {"verified": True, "error": None}
