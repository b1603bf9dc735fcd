"""Ed25519 keys: derivation, did:key identifiers, key files (PKCS#8 PEM, 0600, passphrase)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from issuer.errors import KeyError_
from issuer.keys import Ed25519Key, Signer, did_key_signer
from tests.crypto.conftest import W3C, load_json


def test_w3c_key_identifiers(w3c_key: Ed25519Key) -> None:
    mb = load_json(W3C / "keyPair.json")["publicKeyMultibase"]
    assert w3c_key.public_multibase == mb
    assert w3c_key.did_key == f"did:key:{mb}"
    assert w3c_key.did_key_verification_method == f"did:key:{mb}#{mb}"
    assert len(w3c_key.public_bytes) == 32


def test_sign_is_deterministic_rfc8032(w3c_key: Ed25519Key) -> None:
    sig = w3c_key.sign(b"message")
    assert len(sig) == 64 and sig == w3c_key.sign(b"message")
    ed25519.Ed25519PublicKey.from_public_bytes(w3c_key.public_bytes).verify(sig, b"message")


def test_rfc8032_test_1() -> None:
    """RFC 8032 §7.1 TEST 1 (empty message)."""
    key = Ed25519Key.from_seed(bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
    assert key.public_bytes.hex() == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    assert key.sign(b"").hex() == (
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )


def test_generate_gives_distinct_keys() -> None:
    assert Ed25519Key.generate().public_bytes != Ed25519Key.generate().public_bytes


def test_from_seed_rejects_wrong_length() -> None:
    with pytest.raises(KeyError_) as info:
        Ed25519Key.from_seed(b"\x01" * 31)
    assert info.value.code == "key_length"


def test_repr_shows_no_secret(w3c_key: Ed25519Key, tmp_path: Path) -> None:
    seed_hex = w3c_key._private.private_bytes_raw().hex()
    secret_mb = load_json(W3C / "keyPair.json")["privateKeyMultibase"]
    signer = did_key_signer(w3c_key)
    for text in (repr(w3c_key), str(w3c_key), repr(signer), repr([w3c_key])):
        assert seed_hex not in text and secret_mb not in text and secret_mb[1:] not in text
        assert w3c_key.public_multibase in text


def test_signer_signs_as_its_verification_method(w3c_key: Ed25519Key) -> None:
    signer = did_key_signer(w3c_key)
    assert signer.verification_method == w3c_key.did_key_verification_method
    assert signer.sign(b"x") == w3c_key.sign(b"x")
    other = Signer(w3c_key, "did:web:example.com#key-1")
    assert other.verification_method == "did:web:example.com#key-1"


def test_save_creates_0600_pkcs8_and_loads(tmp_path: Path) -> None:
    old = os.umask(0)  # even with a permissive umask the file must be private
    try:
        key = Ed25519Key.generate()
        path = tmp_path / "issuer.pem"
        key.save(path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert Ed25519Key.load(path) == key


def test_save_refuses_to_overwrite_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    first, second = Ed25519Key.generate(), Ed25519Key.generate()
    first.save(path)
    with pytest.raises(KeyError_) as info:
        second.save(path)
    assert info.value.code == "key_file_exists"
    assert Ed25519Key.load(path) == first
    path.chmod(0o644)
    second.save(path, overwrite=True)
    assert Ed25519Key.load(path) == second
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["k.pem"]


def test_a_key_file_is_never_visible_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workers starting at once: one creates the key while the other may read it (seen in CI:
    the reader found an empty file and failed a task). The file must appear only when complete."""
    import issuer.keys as keys

    path = tmp_path / "issuer.pem"
    seen_while_writing = []
    real_write_all = keys._write_all

    def observing_write_all(fd: int, data: bytes) -> None:
        seen_while_writing.append(path.exists())
        real_write_all(fd, data)

    monkeypatch.setattr(keys, "_write_all", observing_write_all)
    key = Ed25519Key.generate()
    key.save(path)
    key.save(path, overwrite=True)
    assert seen_while_writing == [False, True]  # absent, then the old complete file, during each write
    assert Ed25519Key.load(path) == key and [p.name for p in tmp_path.iterdir()] == ["issuer.pem"]


def test_concurrent_creators_agree_on_one_key(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def create_or_load(path: Path) -> Ed25519Key:
        try:
            Ed25519Key.generate().save(path)
        except KeyError_ as exc:
            assert exc.code == "key_file_exists"
        return Ed25519Key.load(path)

    for round_ in range(20):
        path = tmp_path / f"k{round_}.pem"
        with ThreadPoolExecutor(4) as pool:
            keys = list(pool.map(create_or_load, [path] * 4))
        assert all(k == keys[0] for k in keys)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"k{i}.pem" for i in range(20))


def test_passphrase_encryption(tmp_path: Path) -> None:
    key = Ed25519Key.generate()
    path = tmp_path / "enc.pem"
    key.save(path, passphrase=b"correct horse")
    pem = path.read_bytes()
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert key._private.private_bytes_raw() not in pem
    assert Ed25519Key.load(path, passphrase=b"correct horse") == key
    with pytest.raises(KeyError_) as info:
        Ed25519Key.load(path, passphrase=b"wrong horse")
    assert info.value.code == "key_passphrase_wrong"
    with pytest.raises(KeyError_) as info:
        Ed25519Key.load(path)
    assert info.value.code == "key_passphrase_required"


def test_empty_passphrase_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyError_) as info:
        Ed25519Key.generate().save(tmp_path / "k.pem", passphrase=b"")
    assert info.value.code == "key_passphrase_empty"
    assert not (tmp_path / "k.pem").exists()


def test_passphrase_given_for_plain_file_still_loads(tmp_path: Path) -> None:
    key = Ed25519Key.generate()
    key.save(tmp_path / "k.pem")
    assert Ed25519Key.load(tmp_path / "k.pem", passphrase=b"unused") == key


def test_load_errors(tmp_path: Path) -> None:
    with pytest.raises(KeyError_) as info:
        Ed25519Key.load(tmp_path / "missing.pem")
    assert info.value.code == "key_file_missing"
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"not a key")
    with pytest.raises(KeyError_) as info:
        Ed25519Key.load(garbage)
    assert info.value.code == "key_file_invalid"
    ec_file = tmp_path / "p256.pem"
    ec_file.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    with pytest.raises(KeyError_) as info:
        Ed25519Key.load(ec_file)
    assert info.value.code == "key_wrong_type"


def test_wrapping_a_non_ed25519_key_is_refused() -> None:
    with pytest.raises(KeyError_) as info:
        Ed25519Key(ec.generate_private_key(ec.SECP256R1()))  # type: ignore[arg-type]
    assert info.value.code == "key_wrong_type"
