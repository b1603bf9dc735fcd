"""Status lists of the credentials we issue (Bitstring Status List v1.0, BSL §2.1-§3.1).

- A list lives at `{public_url}/status/{list_id}`, the public URL of when it was first signed
  (after `badgeline move-url` old lists keep their URL and take no new credentials); revocation lists are numbered "1", "2", ...
  and new credentials take a random free slot on the newest list with room.
- The bits are never stored: bit `i` of a list is 1 when the credential holding slot `i`
  has `revoked_at` (revocation list) or `suspended_at` (suspension list) set. The signed
  list is therefore a function of the credentials table, rebuilt whole on every change.
- The signed BitstringStatusListCredential is stored on `status_lists.document` (with
  `signed_at`) in the same transaction as the change, so the web process serves it as is,
  without the key. Publishing locks the list row (PostgreSQL), so concurrent changes to
  one list are signed one after the other and the last document holds every change.
- A change of bits bumps `bits_version` in its own transaction; publishing records the
  version it signed (`signed_bits_version`), so a list changed but not yet re-signed is
  visible to the sweep (`pipeline.revocation.lists_due`).
- The list credential carries `validFrom` (signing time), `validUntil` (+`LIST_VALID_FOR`)
  and `ttl` (`LIST_TTL_MS`, BSL §2.2): the sweep re-signs it well before it expires.
- Open Badges 3.0 allows one `credentialStatus` per credential: ours is a revocation entry.
  Suspension therefore works only for credentials carrying a suspension entry (none today).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.status import Bitstring, status_entry, status_list_credential
from pipeline.errors import StoreError
from pipeline.issuance import IssuingIdentity, sign_and_check
from pipeline.revocation import mark_lists_changed
from pipeline.store.models import Credential, StatusList, StatusSlot
from pipeline.store.status_slots import DEFAULT_LIST_SIZE, allocate_status_index, ensure_status_list

REVOCATION = "revocation"
SUSPENSION = "suspension"
LIST_VALID_FOR = timedelta(days=30)
"""`validUntil` - `validFrom` of a signed list; `RESIGN_AFTER` re-signs it at half-life."""
RESIGN_AFTER = LIST_VALID_FOR / 2
LIST_TTL_MS = 60_000
"""BSL §2.2 `ttl`: verifiers may reuse a fetched list this long (also the HTTP max-age)."""


def status_list_url(public_url: str, list_id: str) -> str:
    """`{public_url}/status/{list_id}`: where the signed list credential is published."""
    return f"{public_url.rstrip('/')}/status/{list_id}"


@dataclass(frozen=True)
class Allocated:
    """A status slot handed to a new credential, and the entry that goes into it (BSL §2.1)."""

    slot: StatusSlot
    entry: dict[str, Any]


def _numbered(list_id: str) -> int:
    return int(list_id) if list_id.isdigit() else 0


def published_url(status_list: StatusList, public_url: str) -> str:
    """The URL a list was first signed under (kept across `badgeline move-url`: credentials cite
    it), else its URL under `public_url`."""
    signed_id = (status_list.document or {}).get("id")
    return signed_id if isinstance(signed_id, str) else status_list_url(public_url, status_list.id)


def current_list(session: Session, *, now: datetime, size: int = DEFAULT_LIST_SIZE,
                 public_url: str | None = None) -> StatusList:
    """The revocation list new credentials go on: the highest-numbered one with room (and, given
    `public_url`, published under it: lists of an earlier base URL take no new credentials),
    else the next number."""
    rows = session.scalars(select(StatusList).where(StatusList.purpose == REVOCATION)).all()
    numbered = sorted((r for r in rows if r.id.isdigit()), key=lambda r: _numbered(r.id))
    last = numbered[-1] if numbered else None
    if last is not None and last.allocated < last.size and (
            public_url is None or published_url(last, public_url) == status_list_url(public_url, last.id)):
        return last
    next_id = str(_numbered(last.id) + 1) if last is not None else "1"
    return ensure_status_list(session, list_id=next_id, purpose=REVOCATION, now=now, size=size)


def list_bitstring(session: Session, status_list: StatusList) -> Bitstring:
    """The list's bits as the credentials table says (BSL §3.1 step 1-2, before compression)."""
    if status_list.purpose == REVOCATION:
        flagged = Credential.revoked_at.is_not(None)
    elif status_list.purpose == SUSPENSION:
        flagged = Credential.suspended_at.is_not(None)
    else:
        raise StoreError(f"unknown status purpose {status_list.purpose!r}", code="status_purpose_unknown")
    query = select(Credential.status_index).where(Credential.status_list_id == status_list.id, flagged)
    bits = Bitstring(status_list.size)
    for index in session.scalars(query):
        bits.set(int(index))
    return bits


def publish_status_list(
    session: Session, list_id: str, *, identity: IssuingIdentity, public_url: str, now: datetime
) -> dict[str, Any]:
    """Rebuild, sign (eddsa-rdfc-2022), self-verify and store the list credential (BSL §2.2)."""
    status_list = session.get(StatusList, list_id, with_for_update=True, populate_existing=True)
    if status_list is None:
        raise StoreError(f"no status list {list_id}", code="status_list_unknown")
    unsigned = status_list_credential(
        list_url=published_url(status_list, public_url), issuer=identity.profile.id,
        purpose=status_list.purpose, bitstring=list_bitstring(session, status_list), valid_from=now,
        valid_until=now + LIST_VALID_FOR, ttl_ms=LIST_TTL_MS,
    )
    signed = sign_and_check(unsigned, identity, now)
    status_list.document, status_list.signed_at = signed, now
    status_list.signed_bits_version = status_list.bits_version
    session.flush()
    return signed


def allocate_entry(session: Session, *, identity: IssuingIdentity, public_url: str, now: datetime) -> Allocated:
    """A random unused revocation slot for a new credential; the list is created and signed
    on first use. The caller links the slot to its credential once that row exists."""
    status_list = current_list(session, now=now, public_url=public_url)
    slot = allocate_status_index(session, list_id=status_list.id, now=now)
    if status_list.signed_at is None:  # set with `document`, without loading it
        publish_status_list(session, status_list.id, identity=identity, public_url=public_url, now=now)
    entry = status_entry(published_url(status_list, public_url), slot.index, status_list.purpose)
    return Allocated(slot=slot, entry=entry)


def _credential_on_list(session: Session, credential_id: str, purpose: str) -> Credential:
    credential = session.get(Credential, credential_id, with_for_update=True, populate_existing=True)
    if credential is None:
        raise StoreError(f"no credential {credential_id}", code="credential_unknown")
    status_list = session.get(StatusList, credential.status_list_id) if credential.status_list_id else None
    if status_list is None or status_list.purpose != purpose:
        raise StoreError(f"credential {credential_id} carries no {purpose} status entry",
                         code="status_purpose_unavailable")
    return credential


def revoke_credential(
    session: Session, credential_id: str, *, identity: IssuingIdentity, public_url: str, now: datetime
) -> dict[str, Any]:
    """Revoke (for good: BSL §2.1 "revocation" is irreversible) and re-sign the list.

    Revoking twice keeps the first `revoked_at`. Returns the re-signed list credential."""
    credential = _credential_on_list(session, credential_id, REVOCATION)
    if credential.revoked_at is None:
        credential.revoked_at = now
        session.flush()
        mark_lists_changed(session, [str(credential.status_list_id)])
    return publish_status_list(session, str(credential.status_list_id), identity=identity,
                               public_url=public_url, now=now)


def set_suspended(
    session: Session, credential_id: str, suspended: bool, *, identity: IssuingIdentity, public_url: str,
    now: datetime,
) -> dict[str, Any]:
    """Suspend or reinstate (BSL §2.1 "suspension" is reversible) and re-sign the list."""
    credential = _credential_on_list(session, credential_id, SUSPENSION)
    credential.suspended_at = now if suspended else None
    session.flush()
    mark_lists_changed(session, [str(credential.status_list_id)])
    return publish_status_list(session, str(credential.status_list_id), identity=identity,
                               public_url=public_url, now=now)
