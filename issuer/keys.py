"""Ed25519 signing keys: generate, encode as Multikey / did:key, save and load (PKCS#8 PEM).

Keys are RFC 8032 Ed25519 (pure), via `cryptography`. Public keys are published as
Multikey `publicKeyMultibase` (CID 1.0 §2.2.2); a did:key identifier is
`did:key:<publicKeyMultibase>` with the VM `did:key:<mb>#<mb>` (did:key method §3.1.1).
Key files are PKCS#8 PEM, created with mode 0600, optionally passphrase-encrypted.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from issuer.errors import KeyError_
from issuer.multibase import (
    decode_ed25519_secret_multikey,
    encode_ed25519_public_multikey,
)

_ENCRYPTED_PEM_HEADER = b"-----BEGIN ENCRYPTED PRIVATE KEY-----"


@dataclass(frozen=True, eq=False)
class Ed25519Key:
    """An Ed25519 private key. Its repr shows only the public key."""

    _private: ed25519.Ed25519PrivateKey = field(repr=False)
    public_bytes: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self._private, ed25519.Ed25519PrivateKey):
            raise KeyError_("not an Ed25519 private key", code="key_wrong_type")
        raw = self._private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        object.__setattr__(self, "public_bytes", raw)

    @classmethod
    def generate(cls) -> Ed25519Key:
        """A new random key (OS CSPRNG)."""
        return cls(ed25519.Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> Ed25519Key:
        """The key for a 32-byte RFC 8032 seed (deterministic; for tests and vectors)."""
        if not isinstance(seed, (bytes, bytearray)) or len(seed) != 32:
            raise KeyError_("an Ed25519 seed is exactly 32 bytes", code="key_length")
        return cls(ed25519.Ed25519PrivateKey.from_private_bytes(bytes(seed)))

    @classmethod
    def from_secret_multikey(cls, mb: str) -> Ed25519Key:
        """The key for a Multikey `secretKeyMultibase` (0x8026 header; 32- or 64-byte body)."""
        return cls.from_seed(decode_ed25519_secret_multikey(mb))

    @property
    def public_multibase(self) -> str:
        """Multikey `publicKeyMultibase` ("z6Mk...")."""
        return encode_ed25519_public_multikey(self.public_bytes)

    @property
    def did_key(self) -> str:
        """`did:key:<publicKeyMultibase>`."""
        return "did:key:" + self.public_multibase

    @property
    def did_key_verification_method(self) -> str:
        """The did:key VM URL `did:key:<mb>#<mb>`."""
        mb = self.public_multibase
        return f"did:key:{mb}#{mb}"

    def sign(self, data: bytes) -> bytes:
        """Ed25519 (RFC 8032 §5.1.6) signature over `data`: 64 bytes."""
        return self._private.sign(data)

    def save(self, path: str | os.PathLike[str], passphrase: bytes | None = None, *, overwrite: bool = False) -> None:
        """Write the key as PKCS#8 PEM, mode 0600 from creation, encrypted when `passphrase` is given.

        An existing file is an error (`key_file_exists`) unless `overwrite` is true, in
        which case it is replaced. Either way the file appears complete or not at all: it is
        written under a temporary name, then linked (create-only) or renamed into place, so a
        process starting at the same moment never reads half a key.
        """
        pem = self._pem(passphrase)
        target = Path(path)
        fd, tmp = tempfile.mkstemp(prefix=".key-", dir=target.parent or ".")  # mkstemp: mode 0600
        try:
            _write_all(fd, pem)
            if overwrite:
                os.replace(tmp, target)
                return
            try:
                os.link(tmp, target)  # fails if the target exists, whoever created it
            except FileExistsError as exc:
                raise KeyError_(f"{target} already exists", code="key_file_exists") from exc
        finally:
            if os.path.lexists(tmp):
                os.unlink(tmp)

    def _pem(self, passphrase: bytes | None) -> bytes:
        if passphrase is not None and not passphrase:
            raise KeyError_("an empty passphrase is not allowed", code="key_passphrase_empty")
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
        )
        return self._private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)

    @classmethod
    def load(cls, path: str | os.PathLike[str], passphrase: bytes | None = None) -> Ed25519Key:
        """Read a PKCS#8 PEM key file written by `save` (or any Ed25519 PKCS#8 PEM)."""
        try:
            pem = Path(path).read_bytes()
        except FileNotFoundError as exc:
            raise KeyError_(f"key file {path} does not exist", code="key_file_missing") from exc
        except OSError as exc:
            raise KeyError_(f"key file {path} cannot be read", code="key_file_unreadable") from exc
        encrypted = _ENCRYPTED_PEM_HEADER in pem
        if encrypted and not passphrase:
            raise KeyError_(f"key file {path} is encrypted; a passphrase is required", code="key_passphrase_required")
        try:
            private = serialization.load_pem_private_key(pem, password=passphrase if encrypted else None)
        except ValueError as exc:
            if encrypted:
                raise KeyError_(f"wrong passphrase for key file {path}", code="key_passphrase_wrong") from exc
            raise KeyError_(f"key file {path} is not a PKCS#8 PEM private key", code="key_file_invalid") from exc
        except (TypeError, UnsupportedAlgorithm) as exc:
            raise KeyError_(f"key file {path} holds an unsupported key", code="key_wrong_type") from exc
        if not isinstance(private, ed25519.Ed25519PrivateKey):
            raise KeyError_(
                f"key file {path} holds a {type(private).__name__}, not an Ed25519 key", code="key_wrong_type"
            )
        return cls(private)

    def __repr__(self) -> str:
        return f"Ed25519Key(public_multibase={self.public_multibase!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ed25519Key) and other.public_bytes == self.public_bytes

    def __hash__(self) -> int:
        return hash(self.public_bytes)


def _write_all(fd: int, data: bytes) -> None:
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


@dataclass(frozen=True)
class Signer:
    """A signing identity: a key and the verification method URL it signs as (DI 1.0 §2.1)."""

    key: Ed25519Key
    verification_method: str

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data)


def did_key_signer(key: Ed25519Key) -> Signer:
    """A `Signer` whose verification method is the key's did:key VM."""
    return Signer(key=key, verification_method=key.did_key_verification_method)
