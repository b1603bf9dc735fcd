"""`badgeline keys rotate` (pipeline.key_rotation) on SQLite and PostgreSQL: a did:web issuer gets a
new current key, the old one stays published under assertionMethod and its credentials keep
verifying; status lists are re-signed; a worker process picks the new key up without a restart;
a did:key issuer refuses."""

from __future__ import annotations

import stat
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from issuer.dids import StaticKeyResolver
from issuer.keys import Ed25519Key
from issuer.verify import verify_credential
from pipeline.cli import main
from pipeline.identity import issuer_did_document, load_issuing_identity, load_or_create_key
from pipeline.issuance import sign_and_check
from pipeline.key_rotation import KeyRotationUnsupported, rotate_key
from pipeline.settings import Settings
from pipeline.statuslists import allocate_entry
from pipeline.store.models import StatusList
from pipeline.worker import WorkerOptions, WorkerRuntime, create_celery_app

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
LATER = NOW + timedelta(days=30)
PUBLIC = "https://badges.example.org"
DID = "did:web:badges.example.org"


def credential(issuer: str) -> dict:
    return {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
            "issuer": issuer, "validFrom": "2026-12-01T12:00:00Z", "credentialSubject": {"id": "did:example:ana"}}


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    return Settings.explicit(database_url=db_url, data_dir=tmp_path / "data", public_url=PUBLIC, issuer_did=DID)


def test_rotation_publishes_both_keys_and_old_credentials_still_verify(engine, sessions, settings):
    with sessions.begin() as s:
        before = load_issuing_identity(settings, s, NOW)
        old_credential = sign_and_check(credential(DID), before, NOW)
        allocate_entry(s, identity=before, public_url=PUBLIC, now=NOW)  # status list 1, signed by the old key
    old_key = load_or_create_key(settings)
    with sessions.begin() as s:
        rotated = rotate_key(settings, s, LATER)
    new_key = load_or_create_key(settings)
    assert new_key != old_key
    old_vm, new_vm = f"{DID}#{old_key.public_multibase}", f"{DID}#{new_key.public_multibase}"
    assert (rotated.retired_vm, rotated.current_vm, rotated.status_lists) == (old_vm, new_vm, ["1"])
    assert Ed25519Key.load(rotated.archived_key) == old_key
    assert stat.S_IMODE(rotated.archived_key.stat().st_mode) == 0o600

    with sessions.begin() as s:
        document = issuer_did_document(settings, s)
        after = load_issuing_identity(settings, s, LATER)
        status_list = s.get(StatusList, "1").document
    assert document["assertionMethod"] == [old_vm, new_vm]
    assert document["authentication"] == [new_vm]
    assert after.signer.verification_method == new_vm
    assert status_list["proof"][0]["verificationMethod"] == new_vm  # re-signed with the new key
    assert status_list["id"] == f"{PUBLIC}/status/1"

    resolver = StaticKeyResolver({DID: document})
    assert verify_credential(old_credential, resolve_key=resolver, now=LATER).verified
    new_credential = sign_and_check(credential(DID), after, LATER)
    assert new_credential["proof"][0]["verificationMethod"] == new_vm
    assert verify_credential(new_credential, resolve_key=resolver, now=LATER).verified
    assert verify_credential(status_list, resolve_key=resolver, now=LATER).verified


def test_rotating_twice_keeps_every_retired_key(sessions, settings, engine):
    with sessions.begin() as s:
        rotate_key(settings, s, NOW)
    with sessions.begin() as s:
        rotate_key(settings, s, LATER)
    with sessions.begin() as s:
        document = issuer_did_document(settings, s)
    assert len(document["assertionMethod"]) == 3 and len(document["authentication"]) == 1
    assert document["authentication"][0] == f"{DID}#{load_or_create_key(settings).public_multibase}"


def test_a_worker_process_signs_with_the_new_key_without_a_restart(sessions, settings, engine):
    worker_settings = settings.model_copy(update={"redis_url": "redis://127.0.0.1:6379/15"})
    app = create_celery_app(worker_settings)  # the app only: nothing is sent here
    runtime = WorkerRuntime(worker_settings, WorkerOptions(), app)
    before = runtime.load_identity().signer.verification_method
    assert runtime.load_identity().signer.verification_method == before  # cached while the key is unchanged
    with sessions.begin() as s:
        rotated = rotate_key(settings, s, LATER)
    assert runtime.load_identity().signer.verification_method == rotated.current_vm != before
    runtime.services.close()


def test_did_key_issuer_refuses_to_rotate(sessions, db_url, tmp_path, engine):
    settings = Settings.explicit(database_url=db_url, data_dir=tmp_path / "data", public_url=PUBLIC)
    key = load_or_create_key(settings)
    with sessions.begin() as s, pytest.raises(KeyRotationUnsupported) as refused:
        rotate_key(settings, s, NOW)
    assert refused.value.code == "key_rotation_unsupported" and key.did_key in refused.value.message
    assert load_or_create_key(settings) == key  # untouched
    assert [p.name for p in settings.key_file.parent.iterdir()] == [settings.key_file.name]


def test_keys_rotate_command(db_url, tmp_path):
    env = {"BADGELINE_DATA_DIR": str(tmp_path / "data"), "BADGELINE_DATABASE_URL": db_url,
           "BADGELINE_PUBLIC_URL": PUBLIC, "BADGELINE_ISSUER_DID": None}
    refused = CliRunner(env=env).invoke(main, ["keys", "rotate"])
    assert refused.exit_code == 1
    assert "did:key" in refused.stderr and "cannot rotate" in refused.stderr and "did:web" in refused.stderr
    done = CliRunner(env={**env, "BADGELINE_ISSUER_DID": DID}).invoke(main, ["keys", "rotate"])
    assert done.exit_code == 0, done.output
    assert f"current key   {DID}#" in done.stdout and "retired key" in done.stdout
