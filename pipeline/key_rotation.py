"""Key rotation of a did:web issuer (`badgeline keys rotate`), and how running workers notice it.

Steps of `rotate_key`:
1. Refuse for a did:key issuer (`KeyRotationUnsupported`): a did:key IS its key, so a new
   key is a new issuer and every credential issued so far would name another one.
2. Record the current key (so it is published even if it never signed yet).
3. Keep the current private key as `<key file>.retired-<time>.pem` (mode 0600), then
   atomically replace the key file with a new key.
4. Record the new key; the earlier ones are marked retired (`record_key`). The did:web
   document, read from the store on every request, lists the new key and every retired
   one under `assertionMethod`, so credentials signed before keep verifying.
5. Re-sign every published status list with the new key (same bits, same URL).

The web process needs no restart: it holds no key and reads the published keys per request.
Workers compare the key file's `key_file_stamp` before each task and reload the identity
when it changed (`pipeline.worker.WorkerRuntime.load_identity`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.keys import Ed25519Key
from pipeline.errors import SettingsError
from pipeline.identity import (key_passphrase, load_issuing_identity, load_or_create_key, record_key,
                               verification_method_id)
from pipeline.settings import Settings
from pipeline.statuslists import publish_status_list
from pipeline.store.models import StatusList


class KeyRotationUnsupported(SettingsError):
    code = "key_rotation_unsupported"


DID_KEY_CANNOT_ROTATE = (
    "this issuer is a did:key ({did}): its identifier is derived from its one key, so it cannot rotate; "
    "a new key would be a new issuer, and every credential issued so far names the old one. "
    "To rotate keys, use a did:web issuer (set BADGELINE_ISSUER_DID=did:web:<your host>, which this "
    "service publishes at /.well-known/did.json) before issuing credentials you want to outlive a key.")


@dataclass(frozen=True)
class Rotated:
    retired_vm: str
    current_vm: str
    archived_key: Path
    status_lists: list[str]


def key_file_stamp(settings: Settings) -> tuple[int, int, int] | None:
    """(inode, mtime ns, size) of the key file: changes when `rotate_key` replaces it."""
    try:
        info = os.stat(settings.key_file)
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def archive_path(key_file: Path, now: datetime) -> Path:
    return key_file.with_name(f"{key_file.stem}.retired-{now.strftime('%Y%m%dT%H%M%S%fZ')}{key_file.suffix}")


def rotate_key(settings: Settings, session: Session, now: datetime) -> Rotated:
    """Rotate the signing key (see the module docstring); the caller commits `session`."""
    old = load_or_create_key(settings)
    if settings.issuer_did is None:
        raise KeyRotationUnsupported(DID_KEY_CANNOT_ROTATE.format(did=old.did_key))
    record_key(session, settings, old, now)
    archived = archive_path(settings.key_file, now)
    old.save(archived, key_passphrase(settings))
    new = Ed25519Key.generate()
    new.save(settings.key_file, key_passphrase(settings), overwrite=True)
    record_key(session, settings, new, now)
    session.flush()
    identity = load_issuing_identity(settings, session, now)
    lists = [row.id for row in session.scalars(select(StatusList).order_by(StatusList.id)) if row.document]
    for list_id in lists:
        publish_status_list(session, list_id, identity=identity, public_url=settings.public_url, now=now)
    return Rotated(retired_vm=verification_method_id(settings, old), current_vm=verification_method_id(settings, new),
                   archived_key=archived, status_lists=lists)
