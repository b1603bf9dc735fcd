"""pipeline.identity: the issuer key file, did:key / did:web ids, recorded keys and the did:web document."""

from __future__ import annotations

import stat
from datetime import timedelta

import pytest
from sqlalchemy import select

from issuer.credentials import Recipient
from issuer.dids import resolve_did_key, verification_method_from_document
from issuer.errors import KeyError_
from issuer.frameworks import FrameworkRegistry, FrameworkUrls
from issuer.keys import Ed25519Key
from issuer.verify import verify_credential
from pipeline.errors import SettingsError
from pipeline.identity import (issuer_did_document, issuer_id, load_issuing_identity, load_or_create_key,
                               record_key, verification_method_id)
from pipeline.issuance import issue_level_credential
from pipeline.settings import Settings
from pipeline.store.models import IssuerKey
from tests.db_fixtures import NOW

PUBLIC = "https://badges.example.org"
DID_WEB = "did:web:badges.example.org"


def settings_for(tmp_path, db_url: str = "sqlite://", **values) -> Settings:
    return Settings.explicit(data_dir=tmp_path / "data", database_url=db_url, public_url=PUBLIC, **values)


def test_key_is_created_once_with_mode_0600(tmp_path):
    settings = settings_for(tmp_path)
    assert not settings.key_file.exists()
    key = load_or_create_key(settings)
    assert settings.key_file == tmp_path / "data" / "issuer-key.pem"
    assert stat.S_IMODE(settings.key_file.stat().st_mode) == 0o600
    before = settings.key_file.read_bytes()
    assert load_or_create_key(settings) == key
    assert settings.key_file.read_bytes() == before


def test_key_with_passphrase(tmp_path):
    settings = settings_for(tmp_path, key_passphrase="open sesame")
    key = load_or_create_key(settings)
    assert b"ENCRYPTED PRIVATE KEY" in settings.key_file.read_bytes()
    assert Ed25519Key.load(settings.key_file, b"open sesame") == key
    with pytest.raises(KeyError_) as info:
        load_or_create_key(settings_for(tmp_path, key_passphrase="wrong"))
    assert info.value.code == "key_passphrase_wrong"
    with pytest.raises(KeyError_) as info:
        load_or_create_key(settings_for(tmp_path))
    assert info.value.code == "key_passphrase_required"


def test_key_file_setting_is_used(tmp_path):
    existing = Ed25519Key.generate()
    existing.save(tmp_path / "mine.pem")
    assert load_or_create_key(settings_for(tmp_path, key_file=tmp_path / "mine.pem")) == existing


def test_did_key_and_did_web_ids(tmp_path):
    key = Ed25519Key.from_seed(bytes(range(32)))
    plain = settings_for(tmp_path)
    assert issuer_id(plain, key) == key.did_key
    assert verification_method_id(plain, key) == f"{key.did_key}#{key.public_multibase}"
    web = settings_for(tmp_path, issuer_did=DID_WEB)
    assert issuer_id(web, key) == DID_WEB
    assert verification_method_id(web, key) == f"{DID_WEB}#{key.public_multibase}"
    with pytest.raises(SettingsError) as info:
        issuer_id(settings_for(tmp_path, issuer_did="did:example:123"), key)
    assert info.value.code == "issuer_did_invalid"


def _rows(sessions) -> list[tuple[str, str]]:
    with sessions() as s:
        return [(r.id, r.public_key_multibase) for r in s.scalars(select(IssuerKey).order_by(IssuerKey.id))]


def test_record_key_is_idempotent(sessions, tmp_path):
    settings = settings_for(tmp_path, issuer_did=DID_WEB)
    key = load_or_create_key(settings)
    for _ in range(2):
        with sessions.begin() as s:
            record_key(s, settings, key, NOW)
            record_key(s, settings, key, NOW)
    assert _rows(sessions) == [(f"{DID_WEB}#{key.public_multibase}", key.public_multibase)]
    with sessions() as s:
        row = s.get(IssuerKey, f"{DID_WEB}#{key.public_multibase}")
        assert row.key_ref == str(settings.key_file) and row.retired_at is None
        assert "PRIVATE" not in row.key_ref + row.public_key_multibase


def test_did_key_issuer_has_no_did_document(sessions, tmp_path):
    settings = settings_for(tmp_path)
    key = load_or_create_key(settings)
    with sessions.begin() as s:
        record_key(s, settings, key, NOW)
        assert issuer_did_document(settings, s) is None
    assert _rows(sessions) == [(key.did_key_verification_method, key.public_multibase)]


def test_switching_from_did_key_to_did_web_keeps_one_row_per_key(sessions, tmp_path):
    before = settings_for(tmp_path)
    key = load_or_create_key(before)
    with sessions.begin() as s:
        record_key(s, before, key, NOW)
    after = settings_for(tmp_path, issuer_did=DID_WEB)
    with sessions.begin() as s:
        identity = load_issuing_identity(after, s, NOW + timedelta(days=1))
        document = issuer_did_document(after, s)
    assert _rows(sessions) == [(f"{DID_WEB}#{key.public_multibase}", key.public_multibase)]
    assert identity.signer.verification_method == f"{DID_WEB}#{key.public_multibase}"
    assert [m["id"] for m in document["verificationMethod"]] == [identity.signer.verification_method]


def test_did_web_document_lists_every_key_retired_ones_included(sessions, tmp_path):
    old_settings = settings_for(tmp_path, issuer_did=DID_WEB, key_file=tmp_path / "old.pem")
    new_settings = settings_for(tmp_path, issuer_did=DID_WEB, key_file=tmp_path / "new.pem")
    old, new = load_or_create_key(old_settings), load_or_create_key(new_settings)
    with sessions.begin() as s:
        record_key(s, old_settings, old, NOW)
        record_key(s, new_settings, new, NOW + timedelta(days=30))
        s.get(IssuerKey, f"{DID_WEB}#{old.public_multibase}").retired_at = NOW + timedelta(days=30)
    with sessions() as s:
        document = issuer_did_document(new_settings, s)
    old_vm, new_vm = (f"{DID_WEB}#{k.public_multibase}" for k in (old, new))
    assert document["id"] == DID_WEB
    assert [m["id"] for m in document["verificationMethod"]] == [old_vm, new_vm]
    assert document["assertionMethod"] == [old_vm, new_vm]  # old credentials keep verifying
    assert document["authentication"] == [new_vm]
    for vm, key in ((old_vm, old), (new_vm, new)):
        method = verification_method_from_document(vm, document)
        assert method.public_key == key.public_bytes and "assertionMethod" in method.relationships


def test_did_web_document_lists_only_the_current_dids_keys(sessions, tmp_path):
    other = Ed25519Key.generate()
    with sessions.begin() as s:
        s.add(IssuerKey(id=f"did:web:old.example.org#{other.public_multibase}",
                        public_key_multibase=other.public_multibase, key_ref="elsewhere.pem", created_at=NOW))
    settings = settings_for(tmp_path, issuer_did=DID_WEB)
    with sessions.begin() as s:
        identity = load_issuing_identity(settings, s, NOW)
        document = issuer_did_document(settings, s)
    assert [m["id"] for m in document["verificationMethod"]] == [identity.signer.verification_method]


@pytest.mark.parametrize("issuer_did", [None, DID_WEB])
def test_issuing_identity_signs_what_its_resolver_verifies(sessions, tmp_path, issuer_did):
    settings = settings_for(tmp_path, issuer_did=issuer_did, issuer_name="Example Board")
    with sessions.begin() as s:
        identity = load_issuing_identity(settings, s, NOW)
    key = load_or_create_key(settings)
    expected_id = issuer_did or key.did_key
    assert (identity.profile.id, identity.profile.name, identity.profile.url) == (expected_id, "Example Board", f"{PUBLIC}/issuer")
    assert identity.signer.key == key
    assert identity.signer.verification_method == verification_method_id(settings, key)
    assert identity.resolve_key(identity.signer.verification_method).public_key == key.public_bytes
    credential = issue_level_credential(
        framework=FrameworkRegistry.bundled().get("29-2052.00", "v.26.05"), level="emerging",
        urls=FrameworkUrls(PUBLIC), identity=identity, recipient=Recipient(name="Ana", email="ana@example.org"),
        now=NOW)
    assert credential["issuer"]["id"] == expected_id
    report = verify_credential(credential, resolve_key=identity.resolve_key, now=NOW)
    assert report.verified, report.as_dict()
    if issuer_did:  # a did:web credential cannot be checked without the DID document
        assert not verify_credential(credential, resolve_key=resolve_did_key, now=NOW).verified


def test_a_rotated_key_retires_the_previous_one_but_stays_published(sessions, tmp_path):
    from pipeline.identity import issuer_did_document, load_issuing_identity

    did = "did:web:badges.example.org"
    first = Settings.explicit(data_dir=tmp_path / "a", issuer_did=did)
    second = Settings.explicit(data_dir=tmp_path / "b", issuer_did=did)  # a new key file: rotation
    with sessions.begin() as session:
        old = load_issuing_identity(first, session, NOW)
    with sessions.begin() as session:
        new = load_issuing_identity(second, session, NOW)
        document = issuer_did_document(second, session)
    assert old.signer.verification_method != new.signer.verification_method
    methods = [vm["id"] for vm in document["verificationMethod"]]
    assert methods == [old.signer.verification_method, new.signer.verification_method]
    assert old.signer.verification_method in document["assertionMethod"]  # old credentials verify
    assert document["authentication"] == [new.signer.verification_method]  # only the current key signs
