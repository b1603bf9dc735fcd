"""Multibase base58btc and Multikey encodings (CID 1.0 §2.4, §2.2.2)."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from issuer.errors import KeyError_
from issuer.multibase import (
    base58btc_decode,
    base58btc_encode,
    decode_ed25519_public_multikey,
    decode_ed25519_secret_multikey,
    encode_ed25519_public_multikey,
    encode_ed25519_secret_multikey,
    multibase_decode,
)
from tests.crypto.conftest import OB, W3C, load_json


@pytest.mark.parametrize(
    ("raw", "text"),
    [(b"", ""), (b"\0", "1"), (b"\0\0\x01", "112"), (b"hello world", "StV1DL6CwTryKyV"), (b"\xff" * 4, "7YXq9G")],
)
def test_base58btc_known_values(raw: bytes, text: str) -> None:
    assert base58btc_encode(raw) == text
    assert base58btc_decode(text) == raw


@given(st.binary(max_size=80))
def test_base58btc_round_trip(data: bytes) -> None:
    assert base58btc_decode(base58btc_encode(data)) == data


@pytest.mark.parametrize("bad", ["0abc", "Oops", "Il", "abc+"])
def test_base58btc_rejects_characters_outside_the_alphabet(bad: str) -> None:
    with pytest.raises(KeyError_) as info:
        base58btc_decode(bad)
    assert info.value.code == "multibase_invalid"


def test_multibase_only_base58btc() -> None:
    assert multibase_decode("z2NEpo7TZRRrLZSi2U") == b"Hello World!"
    for value, code in (("mSGVsbG8", "multibase_unsupported"), ("", "multibase_invalid"), (None, "multibase_invalid")):
        with pytest.raises(KeyError_) as info:
            multibase_decode(value)  # type: ignore[arg-type]
        assert info.value.code == code


def test_public_multikey_of_w3c_vector() -> None:
    pair = load_json(W3C / "keyPair.json")
    pub = decode_ed25519_public_multikey(pair["publicKeyMultibase"])
    assert len(pub) == 32
    assert encode_ed25519_public_multikey(pub) == pair["publicKeyMultibase"]
    assert pair["publicKeyMultibase"].startswith("z6Mk") and len(pair["publicKeyMultibase"]) == 48


def test_public_multikey_wrong_multicodec() -> None:
    secret = load_json(W3C / "keyPair.json")["privateKeyMultibase"]
    with pytest.raises(KeyError_) as info:
        decode_ed25519_public_multikey(secret)  # 0x8026 header, not 0xed01
    assert info.value.code == "key_wrong_multicodec"
    p256 = "zDnaegE6RR3atJtHKwTRTWHsJ3kNHqFwv7n9YjTgmU7TyfU76"  # P-256 multikey (0x8024)
    with pytest.raises(KeyError_) as info:
        decode_ed25519_public_multikey(p256)
    assert info.value.code == "key_wrong_multicodec"


def test_public_multikey_wrong_length() -> None:
    with pytest.raises(KeyError_) as info:
        decode_ed25519_public_multikey("z" + base58btc_encode(b"\xed\x01" + b"\x01" * 31))
    assert info.value.code == "key_length"


def test_secret_multikey_32_and_64_byte_bodies() -> None:
    w3c = load_json(W3C / "keyPair.json")["privateKeyMultibase"]
    seed = decode_ed25519_secret_multikey(w3c)
    assert encode_ed25519_secret_multikey(seed) == w3c
    ob = load_json(OB / "keypair.json")
    assert decode_ed25519_secret_multikey(ob["secretKeyMultibase"]).hex() == ob["privateKeySeedHex"]


def test_secret_multikey_64_byte_body_must_match_its_public_half() -> None:
    ob = load_json(OB / "keypair.json")
    body = bytes.fromhex(ob["privateKeySeedHex"]) + bytes(32)
    with pytest.raises(KeyError_) as info:
        decode_ed25519_secret_multikey("z" + base58btc_encode(b"\x80\x26" + body))
    assert info.value.code == "key_mismatch"


def test_secret_multikey_rejects_public_header() -> None:
    with pytest.raises(KeyError_) as info:
        decode_ed25519_secret_multikey(load_json(W3C / "keyPair.json")["publicKeyMultibase"])
    assert info.value.code == "key_wrong_multicodec"
