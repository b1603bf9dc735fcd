"""Events as stored: accept once per (provider, provider event id), then move through states.

    received -> processing -> processed | rejected        (processing -> received on retry)

`processed` and `rejected` are final. The unique constraint on (provider_id,
provider_event_id) decides races between two posts of the same event.

A worker claims the events of a task in one statement (`claim_events`) with a lease
(`lease_until`), renews it while it works (`renew_leases`), and the sweep re-sends the events
whose lease ran out (`expired_leases`): their worker died. A worker with room in its task also
takes the oldest events still waiting (`claim_waiting`); their own messages, when consumed,
find them taken. Event ids are time-ordered (`new_ordered_uuid`): (`received_at`, id) is the
order of acceptance.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from typing import NamedTuple

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pipeline.errors import EventConflict, InvalidStateTransition
from pipeline.store.inserts import insert_or_skip
from pipeline.store.models import Event
from pipeline.store.types import new_ordered_uuid

FINAL_STATES = frozenset({"processed", "rejected"})


@dataclass(frozen=True)
class Recorded:
    """The stored event and whether this call created it (False: an identical replay)."""

    event: Event
    created: bool


def payload_digest(raw_payload: bytes) -> str:
    return hashlib.sha256(raw_payload).hexdigest()


def _existing(session: Session, provider_id: str, provider_event_id: str) -> Event | None:
    query = select(Event).where(Event.provider_id == provider_id, Event.provider_event_id == provider_event_id)
    return session.scalars(query).one_or_none()


def _same_or_conflict(existing: Event, digest: str) -> Recorded:
    if existing.payload_sha256 != digest:
        raise EventConflict(f"event id {existing.provider_event_id!r} was already used with a different body",
                            path="/event_id")
    return Recorded(existing, created=False)


def event_values(
    *, provider_id: str, provider_event_id: str, raw_payload: bytes, source_format: str,
    parsed: dict[str, Any] | None, now: datetime, state: str = "received",
    outcome_code: str | None = None, outcome_message: str | None = None,
) -> dict[str, Any]:
    """The column values of a new event row."""
    return dict(
        id=new_ordered_uuid(), provider_id=provider_id, provider_event_id=provider_event_id, raw_payload=raw_payload,
        payload_sha256=payload_digest(raw_payload), format=source_format, parsed=parsed, state=state,
        outcome_code=outcome_code, outcome_message=outcome_message, attempts=0, received_at=now, updated_at=now,
        finished_at=now if state in FINAL_STATES else None, task_sent_at=None, learner_id=None, lease_until=None,
    )


def record_new_events(session: Session, rows: list[dict[str, Any]]) -> dict[str, Event]:
    """Insert `event_values` rows of one provider in one statement; the rows created, by
    provider event id (an id already stored, or repeated in `rows`, is created once at most:
    resolve the others with `record_event`). Only the ids of the rows created come back
    (`RETURNING id`, not the stored payload and its parsed JSON): the events are built from the
    values sent, which are every column of the row (`event_values`)."""
    if not rows:
        return {}
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    created = set(session.scalars(insert(Event).on_conflict_do_nothing().returning(Event.id), rows))
    return {row["provider_event_id"]: Event(**row) for row in rows if row["id"] in created}


def record_event(
    session: Session, *, provider_id: str, provider_event_id: str, raw_payload: bytes, source_format: str,
    parsed: dict[str, Any] | None, now: datetime, state: str = "received",
    outcome_code: str | None = None, outcome_message: str | None = None,
) -> Recorded:
    """Insert the event, or return the identical one already stored; `EventConflict` if the
    id was used with a different body. One `INSERT ... ON CONFLICT DO NOTHING` (no savepoint:
    the caller's transaction survives a replay); the stored twin is read only on a conflict."""
    values = event_values(provider_id=provider_id, provider_event_id=provider_event_id, raw_payload=raw_payload,
                          source_format=source_format, parsed=parsed, now=now, state=state,
                          outcome_code=outcome_code, outcome_message=outcome_message)
    row = insert_or_skip(session, Event, values)
    if row is not None:
        return Recorded(row, created=True)
    existing = _existing(session, provider_id, provider_event_id)
    if existing is None:
        raise EventConflict(f"event id {provider_event_id!r} could not be stored", path="/event_id")
    return _same_or_conflict(existing, values["payload_sha256"])


def claim_event(session: Session, event_id: str, *, now: datetime, lease: timedelta | None = None) -> Event | None:
    """Move a `received` (or re-delivered `processing`) event to `processing` and count the
    attempt; None when the event is already final (a duplicate delivery: do nothing)."""
    event = session.get(Event, event_id, with_for_update=True)
    if event is None:
        raise InvalidStateTransition(f"no event {event_id}", code="event_unknown")
    if event.state in FINAL_STATES:
        return None
    event.state = "processing"
    event.attempts += 1
    event.updated_at = now
    event.lease_until = now + lease if lease is not None else None
    return event


class Claim(NamedTuple):
    """An event a worker claimed: the attempt it is on, and when it was accepted (for ordering)."""

    attempts: int
    received_at: datetime


def claim_events(session: Session, event_ids: list[str], *, now: datetime, lease: timedelta) -> dict[str, Claim]:
    """`claim_event` for many events in ONE statement (row locks, in id order on PostgreSQL):
    each event claimed; final and unknown events are left out."""
    if not event_ids:
        return {}
    return _claim(session, Event.id.in_(sorted(set(event_ids))), now=now, lease=lease)


def claim_waiting(session: Session, limit: int, *, now: datetime, lease: timedelta,
                  exclude: list[str] | None = None) -> dict[str, Claim]:
    """Claim up to `limit` of the oldest `received` events (acceptance order) in ONE statement;
    on PostgreSQL rows another transaction holds are skipped (`FOR UPDATE SKIP LOCKED`)."""
    if limit <= 0:
        return {}
    oldest = (select(Event.id).where(Event.state == "received", Event.id.not_in(exclude or []))
              .order_by(Event.received_at, Event.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        oldest = oldest.with_for_update(skip_locked=True)
    return _claim(session, Event.id.in_(oldest.scalar_subquery()), now=now, lease=lease)


def _claim(session: Session, which, *, now: datetime, lease: timedelta) -> dict[str, Claim]:
    claim = (
        update(Event)
        .where(which, Event.state.not_in(FINAL_STATES))
        .values(state="processing", attempts=Event.attempts + 1, updated_at=now, lease_until=now + lease)
        .returning(Event.id, Event.attempts, Event.received_at)
        .execution_options(synchronize_session=False)
    )
    return {event_id: Claim(attempts, received_at) for event_id, attempts, received_at in session.execute(claim)}


def renew_leases(session: Session, event_ids: list[str], *, now: datetime, lease: timedelta) -> None:
    """Extend the lease of events this worker still holds (those still `processing`)."""
    if event_ids:
        session.execute(update(Event).where(Event.id.in_(event_ids), Event.state == "processing")
                        .values(lease_until=now + lease).execution_options(synchronize_session=False))


def expired_leases(session: Session, *, now: datetime, stuck_after: timedelta, limit: int = 500) -> list[str]:
    """Events `processing` whose claim lease ran out (no worker holds them: it died), or, for
    a claim without a lease, untouched for `stuck_after`. On PostgreSQL a row locked by a
    working transaction is alive whatever its lease says, and is skipped."""
    expired = or_(Event.lease_until <= now,
                  and_(Event.lease_until.is_(None), Event.updated_at <= now - stuck_after))
    query = (select(Event.id).where(Event.state == "processing", expired)
             .order_by(Event.updated_at).limit(limit).with_for_update(skip_locked=True))
    return list(session.scalars(query))


def finish_event(
    session: Session, event: Event, *, state: str, now: datetime,
    outcome_code: str | None = None, outcome_message: str | None = None,
) -> Event:
    """Record the one outcome of an event: `processed` or `rejected` with a code."""
    if state not in FINAL_STATES:
        raise InvalidStateTransition(f"{state!r} is not a final state")
    if event.state in FINAL_STATES:
        raise InvalidStateTransition(f"event {event.id} is already {event.state}")
    event.state, event.outcome_code, event.outcome_message = state, outcome_code, outcome_message
    event.updated_at = event.finished_at = now
    return event


def mark_task_sent(session: Session, event_ids: list[str], *, now: datetime) -> None:
    session.execute(update(Event).where(Event.id.in_(event_ids)).values(task_sent_at=now))


def events_to_resend(session: Session, *, now: datetime, min_age: timedelta, limit: int = 500) -> list[str]:
    """Ids of events still `received` whose task was never sent, or sent longer than
    `min_age` ago (lost between commit and send, or with the broker)."""
    cutoff = now - min_age
    query = (
        select(Event.id)
        .where(Event.state == "received", Event.received_at <= cutoff,
               or_(Event.task_sent_at.is_(None), Event.task_sent_at <= cutoff))
        .order_by(Event.received_at)
        .limit(limit)
    )
    return list(session.scalars(query))
