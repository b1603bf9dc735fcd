"""Multibase (base58btc) and Multikey encodings of Ed25519 keys and signatures.

Controlled Identifiers 1.0 §2.4 (multibase, base58btc with the `z` prefix) and §2.2.2
(Multikey): an Ed25519 public key is `z` + base58btc(0xed 0x01 || 32 bytes) and a secret
key `z` + base58btc(0x80 0x26 || 32-byte seed).
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from issuer.errors import KeyError_

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {ch: i for i, ch in enumerate(_ALPHABET)}

ED25519_PUB_HEADER = b"\xed\x01"
ED25519_PRIV_HEADER = b"\x80\x26"


def base58btc_encode(data: bytes) -> str:
    """Base58 with the Bitcoin alphabet; each leading zero byte becomes a `1`."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, rem = divmod(number, 58)
        digits.append(_ALPHABET[rem])
    return "1" * zeros + "".join(reversed(digits))


def base58btc_decode(text: str) -> bytes:
    """Inverse of `base58btc_encode`; a character outside the alphabet is `multibase_invalid`."""
    if not isinstance(text, str):
        raise KeyError_("base58btc value is not a string", code="multibase_invalid")
    number = 0
    for ch in text:
        digit = _INDEX.get(ch)
        if digit is None:
            raise KeyError_(f"character {ch!r} is not in the base58btc alphabet", code="multibase_invalid")
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_decode(value: str) -> bytes:
    """Decode a multibase string; only the base58btc `z` prefix is accepted (CID 1.0 §2.4)."""
    if not isinstance(value, str) or not value:
        raise KeyError_("multibase value is missing or not a string", code="multibase_invalid")
    if value[0] != "z":
        raise KeyError_(
            f"multibase prefix {value[0]!r} is not base58btc ('z')", code="multibase_unsupported"
        )
    return base58btc_decode(value[1:])


def multibase_encode(data: bytes) -> str:
    """`z` + base58btc(data) (CID 1.0 §2.4)."""
    return "z" + base58btc_encode(data)


def encode_ed25519_public_multikey(pub32: bytes) -> str:
    """Multikey `publicKeyMultibase` of a 32-byte Ed25519 public key ("z6Mk...")."""
    if len(pub32) != 32:
        raise KeyError_(f"Ed25519 public key must be 32 bytes, got {len(pub32)}", code="key_length")
    return multibase_encode(ED25519_PUB_HEADER + pub32)


def decode_ed25519_public_multikey(value: str) -> bytes:
    """32-byte Ed25519 public key from a `publicKeyMultibase` (CID 1.0 §2.2.2).

    Any multicodec header other than 0xed01 is `key_wrong_multicodec`.
    """
    raw = multibase_decode(value)
    if raw[:2] != ED25519_PUB_HEADER:
        raise KeyError_(
            f"multikey header {raw[:2].hex()} is not ed25519-pub (ed01)", code="key_wrong_multicodec"
        )
    if len(raw) != 34:
        raise KeyError_(f"Ed25519 public key must be 32 bytes, got {len(raw) - 2}", code="key_length")
    return raw[2:]


def encode_ed25519_secret_multikey(seed32: bytes) -> str:
    """Multikey `secretKeyMultibase` of a 32-byte Ed25519 seed ("z3u2...")."""
    if len(seed32) != 32:
        raise KeyError_(f"Ed25519 seed must be 32 bytes, got {len(seed32)}", code="key_length")
    return multibase_encode(ED25519_PRIV_HEADER + seed32)


def decode_ed25519_secret_multikey(value: str) -> bytes:
    """32-byte Ed25519 seed from a `secretKeyMultibase`.

    Accepts the CID 1.0 form (0x8026 + 32-byte seed) and the older 64-byte body
    (seed || public key) used by the OB 3.0 test vector; the seed is its first half.
    """
    raw = multibase_decode(value)
    if raw[:2] != ED25519_PRIV_HEADER:
        raise KeyError_(
            f"multikey header {raw[:2].hex()} is not ed25519-priv (8026)", code="key_wrong_multicodec"
        )
    body = raw[2:]
    if len(body) not in (32, 64):
        raise KeyError_(f"Ed25519 secret key must be 32 or 64 bytes, got {len(body)}", code="key_length")
    if len(body) == 64 and _public_from_seed(body[:32]) != body[32:]:
        raise KeyError_("the 64-byte secret key's public half does not match its seed", code="key_mismatch")
    return body[:32]


def _public_from_seed(seed: bytes) -> bytes:
    private = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
