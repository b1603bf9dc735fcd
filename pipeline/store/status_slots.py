"""Status-list index allocation: random, unused, in the caller's transaction, never reused.

`allocate_status_index` draws a random index and inserts its `status_slots` row in a
`INSERT ... ON CONFLICT DO NOTHING`; the UNIQUE(status_list_id, index) constraint skips a taken index, and the
draw is retried. After `RANDOM_TRIES` collisions (a nearly full list) it picks at random
among the indexes still free. Slots are never deleted (a mapper guard refuses it), so an
index is never handed out twice.

The list's `allocated` counter (used to roll over to a new list) counts reservations. On
PostgreSQL it is raised in its own short transaction: raising it inside the caller's would
hold the list's row lock until the caller commits, serializing every worker's issuance
(signing included) on one row. A caller that rolls back therefore leaves the counter one
higher than the slots used: the list rolls over slightly early, and no index is reused.
On SQLite the whole database has one writer anyway, so it stays in the caller's transaction.

`reserve_indexes(count=n)` raises the counter by n at once: a worker process keeps the spare
reservations (`pipeline.statuslists.SlotReservations`) and spends them without touching the
list row, one round trip per n credentials instead of one each (issue 12). Spares a process
never spends (it exits) are reservations without a slot: the list rolls over that much
early. A counter that says less than the slots used cannot happen: spares are only kept for
reservations committed on their own.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pipeline.errors import StatusListFull, StoreError
from pipeline.store.inserts import insert_or_skip
from pipeline.store.models import STATUS_PURPOSES, StatusList, StatusSlot

DEFAULT_LIST_SIZE = 131_072  # bits: the 16 KiB minimum of Bitstring Status List 1.0 (§2.1) for herd privacy
RANDOM_TRIES = 16

Chooser = Callable[[int], int]


def ensure_status_list(
    session: Session, *, list_id: str, purpose: str, now: datetime, size: int = DEFAULT_LIST_SIZE
) -> StatusList:
    """The status list `list_id`, created when missing."""
    if purpose not in STATUS_PURPOSES:
        raise StoreError(f"unknown status purpose {purpose!r}", code="status_purpose_unknown")
    found = session.get(StatusList, list_id)
    if found is not None:
        return found
    row = StatusList(id=list_id, purpose=purpose, size=size, allocated=0, created_at=now)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        found = session.get(StatusList, list_id)
        if found is None:
            raise
        return found
    return row


@dataclass(frozen=True)
class Reserved:
    """`count` reservations on a list of `size` indexes; `committed`: in their own (committed)
    transaction, so they outlive the caller's transaction (PostgreSQL)."""

    size: int
    count: int
    committed: bool


def reserve_indexes(session: Session, list_id: str, count: int = 1) -> Reserved:
    """Raise the list's `allocated` counter by `count` (module docstring). Only the caller's
    transaction can see a list it created: then (and on SQLite) one reservation, in that
    transaction, whatever `count` asks."""
    statement = (update(StatusList).where(StatusList.id == list_id, StatusList.allocated < StatusList.size)
                 .values(allocated=StatusList.allocated + count).returning(StatusList.size))
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        # Its own one-statement transaction (autocommit: no BEGIN/COMMIT round trips): no row
        # lock held by the caller.
        with bind.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            result = connection.execute(statement).first()
        if result is not None:
            return Reserved(size=int(result[0]), count=count, committed=True)
    # SQLite, or a list created by the caller's own uncommitted transaction
    result = session.execute(statement.values(allocated=StatusList.allocated + 1)).first()
    if result is None:
        if session.get(StatusList, list_id) is None:
            raise StoreError(f"no status list {list_id}", code="status_list_unknown")
        raise StatusListFull(f"status list {list_id} has no free index")
    return Reserved(size=int(result[0]), count=1, committed=False)


def _try_insert(session: Session, list_id: str, index: int, credential_id: str | None, now: datetime) -> StatusSlot | None:
    """The new slot, or None when the index is taken (UNIQUE(status_list_id, index))."""
    return insert_or_skip(session, StatusSlot, dict(status_list_id=list_id, index=index, credential_id=credential_id,
                                                    allocated_at=now))


def _free_indexes(session: Session, list_id: str, size: int) -> list[int]:
    taken = set(session.scalars(select(StatusSlot.index).where(StatusSlot.status_list_id == list_id)))
    return [i for i in range(size) if i not in taken]


def allocate_status_index(
    session: Session, *, list_id: str, now: datetime, credential_id: str | None = None,
    choose: Chooser = secrets.randbelow,
) -> StatusSlot:
    """Allocate a random unused index of `list_id` (see the module docstring)."""
    size = reserve_indexes(session, list_id).size
    return take_free_index(session, list_id=list_id, size=size, now=now, credential_id=credential_id, choose=choose)


def take_free_index(
    session: Session, *, list_id: str, size: int, now: datetime, credential_id: str | None = None,
    choose: Chooser = secrets.randbelow,
) -> StatusSlot:
    """The slot of a random unused index of `list_id`, for a reservation already made."""
    for _ in range(RANDOM_TRIES):
        slot = _try_insert(session, list_id, choose(size), credential_id, now)
        if slot is not None:
            return slot
    while True:
        free = _free_indexes(session, list_id, size)
        if not free:
            raise StatusListFull(f"status list {list_id} has no free index")
        slot = _try_insert(session, list_id, free[choose(len(free))], credential_id, now)
        if slot is not None:
            return slot
