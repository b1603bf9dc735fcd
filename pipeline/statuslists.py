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

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.status import Bitstring, status_entry, status_list_credential
from pipeline.errors import StatusListFull, StoreError
from pipeline.issuance import IssuingIdentity, sign_and_check
from pipeline.revocation import mark_lists_changed
from pipeline.store.models import Credential, StatusList, StatusSlot
from pipeline.store.status_slots import DEFAULT_LIST_SIZE, ensure_status_list, reserve_indexes, take_free_index

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


@dataclass(frozen=True)
class _Block:
    """Reservations held on one signed list, with what an entry on it needs."""

    public_url: str
    list_id: str
    size: int
    url: str
    purpose: str


class SlotReservations:
    """A worker process's hold on the current revocation list: which list it is (so the list
    rows are not read again for every credential) and, on PostgreSQL, spare reservations.

    `allocate_entry` reserves `block` indexes at once in the list's counter and spends them
    one per credential, so most credentials touch neither the list row nor its counter (issue
    12). Spares are kept only for reservations committed on their own
    (`status_slots.reserve_indexes`); on SQLite each credential still raises the counter in its
    own transaction. Held only for a list found signed; a list found full or gone is let go.
    A process that exits loses its spares (the list rolls over that much early). One per
    process; thread-safe."""

    def __init__(self, block: int = 32) -> None:
        self.block = block
        self._lock = threading.Lock()
        self._held: _Block | None = None
        self._left = 0

    def take(self, public_url: str) -> tuple[_Block | None, bool]:
        """The list held for `public_url` (or None) and whether a spare reservation was spent on it."""
        with self._lock:
            if self._held is None or self._held.public_url != public_url:
                return None, False
            if self._left > 0:
                self._left -= 1
                return self._held, True
            return self._held, False

    def keep(self, block: _Block, spare: int) -> None:
        with self._lock:
            self._held, self._left = block, spare

    def drop(self, list_id: str) -> None:
        """Let go of a list found full or gone."""
        with self._lock:
            if self._held is not None and self._held.list_id == list_id:
                self._held, self._left = None, 0


def _reserve_on_held(session: Session, reservations: SlotReservations, public_url: str) -> _Block | None:
    """A reservation on the list the process holds (a spare, or a fresh block), or None."""
    block, spent = reservations.take(public_url)
    if block is None or spent:
        return block
    try:
        reserved = reserve_indexes(session, block.list_id, reservations.block)
    except StoreError:  # full (StatusListFull), or gone with a rolled-back transaction
        reservations.drop(block.list_id)
        return None
    reservations.keep(block, reserved.count - 1 if reserved.committed else 0)
    return block


def allocate_entry(session: Session, *, identity: IssuingIdentity, public_url: str, now: datetime,
                   reservations: SlotReservations | None = None) -> Allocated:
    """A random unused revocation slot for a new credential; the list is created and signed
    on first use. The caller links the slot to its credential once that row exists.
    `reservations`: the process's hold on the current list (`SlotReservations`)."""
    block = _reserve_on_held(session, reservations, public_url) if reservations is not None else None
    if block is None:
        status_list = current_list(session, now=now, public_url=public_url)
        signed = status_list.signed_at is not None  # set with `document`, without loading it
        wanted = reservations.block if reservations is not None and signed else 1
        reserved = reserve_indexes(session, status_list.id, wanted)
        if not signed:
            publish_status_list(session, status_list.id, identity=identity, public_url=public_url, now=now)
        block = _Block(public_url=public_url, list_id=status_list.id, size=reserved.size,
                       url=published_url(status_list, public_url), purpose=status_list.purpose)
        if reservations is not None and signed:
            reservations.keep(block, reserved.count - 1 if reserved.committed else 0)
    try:
        slot = take_free_index(session, list_id=block.list_id, size=block.size, now=now)
    except StatusListFull:
        if reservations is not None:
            reservations.drop(block.list_id)
        raise
    return Allocated(slot=slot, entry=status_entry(block.url, slot.index, block.purpose))


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
