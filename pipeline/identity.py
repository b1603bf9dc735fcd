"""The issuer's identity: its signing key (worker and CLI only), DID and published keys.

- The key file (`settings.key_file`, PKCS#8, mode 0600, optionally encrypted) is created on
  first use. Only `load_issuing_identity` reads it; the web processes never call it.
- The issuer id is `settings.issuer_did` when set (a did:web whose document this service
  publishes), else the key's did:key. did:web verification method fragments are the key's
  public multibase, so rotating keys never reuses a VM id.
- Every key that ever signed is recorded in `issuer_keys` (public part and file path only);
  the did:web document lists them all, retired ones included, so old credentials verify.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from issuer.credentials import IssuerProfile
from issuer.dids import PublishedKey, StaticKeyResolver, did_web_document, did_web_document_url
from issuer.errors import IssuerError
from issuer.keys import Ed25519Key, Signer
from pipeline.errors import SettingsError
from pipeline.issuance import IssuingIdentity
from pipeline.settings import Settings
from pipeline.store.models import IssuerKey


def key_passphrase(settings: Settings) -> bytes | None:
    return settings.key_passphrase.get_secret_value().encode() if settings.key_passphrase else None


def load_or_create_key(settings: Settings) -> Ed25519Key:
    """The signing key from `settings.key_file`, generated (mode 0600) when the file is absent."""
    path = settings.key_file
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519Key.generate()
        try:
            key.save(path, key_passphrase(settings))
        except IssuerError as exc:
            if exc.code != "key_file_exists":  # another process created it first: load theirs
                raise
        else:
            return key
    return Ed25519Key.load(path, key_passphrase(settings))


def issuer_id(settings: Settings, key: Ed25519Key) -> str:
    if settings.issuer_did is None:
        return key.did_key
    if not settings.issuer_did.startswith("did:web:"):
        raise SettingsError("BADGELINE_ISSUER_DID must be a did:web DID (or unset for did:key)",
                            code="issuer_did_invalid")
    return settings.issuer_did


def verification_method_id(settings: Settings, key: Ed25519Key) -> str:
    did = issuer_id(settings, key)
    return key.did_key_verification_method if did == key.did_key else f"{did}#{key.public_multibase}"


def record_key(session: Session, settings: Settings, key: Ed25519Key, now: datetime) -> None:
    """Make sure `issuer_keys` lists `key` (public part and file path only) under its current
    verification method id; a key recorded under an earlier issuer DID moves to the current one
    (the public key is unique). Safe when several processes start at once: the write runs in a
    savepoint and a concurrent writer wins."""
    vm_id = verification_method_id(settings, key)
    if session.get(IssuerKey, vm_id) is not None:
        return
    try:
        with session.begin_nested():
            earlier = session.scalars(select(IssuerKey)
                                      .where(IssuerKey.public_key_multibase == key.public_multibase)).first()
            if earlier is not None:  # the same key, recorded under the issuer DID used before
                earlier.id = vm_id
            else:
                retire_other_keys(session, vm_id, now)
                session.add(IssuerKey(id=vm_id, public_key_multibase=key.public_multibase,
                                      key_ref=str(settings.key_file), created_at=now))
    except (IntegrityError, StaleDataError):
        if session.get(IssuerKey, vm_id) is None:
            raise


def retire_other_keys(session: Session, vm_id: str, now: datetime) -> None:
    """A new key comes into use (rotation): the issuer's earlier keys stop signing. They stay
    published (retired) so the credentials they signed keep verifying."""
    did = vm_id.partition("#")[0]
    for row in session.scalars(select(IssuerKey).where(IssuerKey.id.startswith(did + "#"),
                                                       IssuerKey.retired_at.is_(None), IssuerKey.id != vm_id)):
        row.retired_at = now


def published_keys(session: Session, did: str) -> list[PublishedKey]:
    """The keys recorded under `did` (verification method ids `did#fragment`), oldest first."""
    rows = session.scalars(select(IssuerKey).order_by(IssuerKey.created_at)).all()
    return [PublishedKey(fragment=row.id.partition("#")[2], public_multibase=row.public_key_multibase,
                         retired=row.retired_at is not None) for row in rows if row.id.startswith(did + "#")]


def issuer_did_document(settings: Settings, session: Session) -> dict | None:
    """The did:web document this service publishes (None for a did:key issuer)."""
    if settings.issuer_did is None:
        return None
    return did_web_document(settings.issuer_did, published_keys(session, settings.issuer_did))


def issuer_profile(settings: Settings, did: str) -> IssuerProfile:
    """The issuer Profile of our credentials; its `url` is the issuer's page (`/issuer`), not the
    service root (which `badgeline up` gives to the verifier)."""
    return IssuerProfile(id=did, name=settings.issuer_name, url=settings.public_url + "/issuer")


def load_issuing_identity(settings: Settings, session: Session, now: datetime) -> IssuingIdentity:
    """Key, profile and a resolver for self-verification (worker and CLI only)."""
    key = load_or_create_key(settings)
    record_key(session, settings, key, now)
    session.flush()
    did = issuer_id(settings, key)
    resolver = StaticKeyResolver()
    if did.startswith("did:web:"):
        resolver.add(did_web_document_url(did), issuer_did_document(settings, session))
    signer = Signer(key=key, verification_method=verification_method_id(settings, key))
    return IssuingIdentity(profile=issuer_profile(settings, did), signer=signer, resolve_key=resolver)
