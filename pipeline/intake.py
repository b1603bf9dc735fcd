"""Accepting assessment events (issue 3, "Provider API"), with no web framework in sight.

One use case, three inputs (one event, a batch, a CSV upload), always in this order:

1. validate: decode and map the event (native, xAPI, Caliper, CSV rows) to an
   `AssessmentEvent`; any problem is an `EventRejected` and nothing is stored;
2. check the framework version is not retired (`framework_version_retired`, 422) and
   accreditation: the caller's scopes must cover the framework version and every
   level the event has results for (`NotAccredited`, nothing stored);
3. record: insert the event rows (`received`, with the normalized form in `parsed`; one
   multi-row statement per request or CSV chunk), or find
   the identical one already stored (a replay: not created, not re-sent) or refuse a reused
   event id with a different body (`EventConflict`);
4. commit, and only then send the processing tasks of the newly created events, up to
   `TASK_EVENTS` events per message. A failed send is logged and ignored: the event stays
   `received` and the sweeper re-sends it.

"Same body" means the same JSON document: stored bytes and the new body are compared by
their RFC 8785 (JCS) canonical form, so whitespace or key order never make a conflict, and a
replay through `events:batch` matches an event first posted alone. One event is stored with
the exact bytes received; a batch item or a CSV event is stored as the JCS bytes of its
document (the batch has no per-item bytes of its own).
Invalid events are never stored (not even as `rejected`): a rejected request leaves no row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from issuer.canonical import jcs
from issuer.errors import IssuerError
from pipeline import errors as codes
from pipeline.errors import EventConflict, EventRejected, FieldError, PipelineError
from pipeline.events import AssessmentEvent, EventContext, parse_csv, parse_event
from pipeline.events.adapters import decode_json
from pipeline.events.caliper import is_caliper_envelope
from pipeline.events.csv_rows import CsvImport
from pipeline.framework_catalog import RETIRED
from pipeline.services import Services
from pipeline.store import statement_session_factory
from pipeline.store.api_keys import Scope
from pipeline.store.event_log import Recorded, event_values, record_event, record_new_events
from pipeline.store.models import Event

logger = logging.getLogger(__name__)

NOT_ACCREDITED = "not_accredited"
TOO_MANY_EVENTS = "too_many_events"


class NotAccredited(PipelineError):
    """The caller's key does not cover the event's framework version or levels (HTTP 403)."""

    code = NOT_ACCREDITED


class TooManyEvents(PipelineError):
    """A batch or CSV upload holds more events than `settings.max_batch_events` (HTTP 413)."""

    code = TOO_MANY_EVENTS


CHUNK = 200
"""Events stored per transaction by uploads (bounded transactions; progress between them)."""
TASK_EVENTS = 20
"""Events per processing message: fewer messages and claims, while the events of one large
request still spread over every worker."""

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Caller:
    """Who is posting: the provider and the scopes of the key they authenticated with."""

    provider_id: str
    scopes: tuple[Scope, ...]
    key_id: str | None = None

    def accredited_for(self, event: AssessmentEvent) -> bool:
        """True when one scope covers the event's framework version and all its levels."""
        levels = tuple(sorted(event.levels))
        return any(s.allows(event.framework_code, event.framework_version, levels) for s in self.scopes)


@dataclass(frozen=True)
class Accepted:
    """A stored event; `created` is False for an identical replay (nothing changed)."""

    event: Event
    created: bool


@dataclass(frozen=True)
class ItemOutcome:
    """One event of a batch or upload: `accepted`, or the `error` that refused it."""

    index: int
    accepted: Accepted | None = None
    error: PipelineError | None = None


@dataclass(frozen=True)
class RowOutcome:
    """One CSV data row (header = row 1): the outcome of the event it belongs to."""

    row: int
    event_id: str | None
    accepted: Accepted | None = None
    error: PipelineError | None = None


@dataclass(frozen=True)
class CsvIntake:
    """A CSV upload's events (in file order) and a report for every data row."""

    events: tuple[ItemOutcome, ...]
    rows: tuple[RowOutcome, ...]


@dataclass(frozen=True)
class _Candidate:
    index: int
    event: AssessmentEvent
    document: Any
    raw: bytes


def event_context(services: Services) -> EventContext:
    """What validation needs, with the time read once from the services' clock."""
    return EventContext(frameworks=services.registry, public_url=services.settings.public_url, now=services.clock())


def check_accreditation(caller: Caller, event: AssessmentEvent) -> None:
    """Raise `NotAccredited` unless the caller may assess this framework version and levels."""
    if not caller.accredited_for(event):
        levels = ", ".join(sorted(event.levels))
        raise NotAccredited(
            f"this key is not accredited for {event.framework_code} {event.framework_version} (levels: {levels})",
            path="/framework",
        )


def check_admissible(services: Services, caller: Caller, event: AssessmentEvent) -> None:
    """A retired framework version takes no new assessments (`framework_version_retired`, 422),
    then the caller must be accredited for it (`check_accreditation`)."""
    if services.registry.is_retired(event.framework_code, event.framework_version):
        raise EventRejected([FieldError(
            RETIRED, f"{event.framework_code} {event.framework_version} is retired: it takes no new assessments; "
            f"assess against the current version {services.registry.latest(event.framework_code).version}",
            "/framework/version")])
    check_accreditation(caller, event)


def accept_event(services: Services, caller: Caller, body: bytes) -> Accepted:
    """Accept one JSON event (native, xAPI or Caliper) from the exact request bytes.

    Raises `EventRejected` (`malformed_json` or a validation code), `NotAccredited` or
    `EventConflict`; on success the row is committed and (if new) its task sent."""
    document = decode_json(body)
    event = parse_event(document, event_context(services))
    check_admissible(services, caller, event)
    if is_caliper_envelope(document):  # store the event itself, as a batch item of it would be
        document = document["data"][0]
        body = _canonical(document)
    [outcome] = _record_all(services, caller, [_Candidate(0, event, document, body)])
    if outcome.error is not None:
        raise outcome.error
    if outcome.accepted is None:
        raise PipelineError("event neither accepted nor refused")
    return outcome.accepted


def batch_documents(body: bytes, max_events: int) -> list[Any]:
    """The `events` array of an `events:batch` body `{"events": [...]}`, or the `data` array of a
    Caliper Envelope (1..max_events items)."""
    try:
        envelope = decode_json(body, max_outer_items=max_events)
    except EventRejected as error:
        if error.code == "json_array_too_long":
            raise TooManyEvents(f"more than {max_events} events in one batch", path="/events") from error
        raise
    if is_caliper_envelope(envelope):  # a Caliper sensor's Envelope: one item per data[] event
        envelope = {"events": envelope["data"]}
    if not isinstance(envelope, dict) or not isinstance(envelope.get("events"), list):
        raise EventRejected([FieldError(codes.SCHEMA_VIOLATION, 'the body must be {"events": [...]}', "/events")])
    documents = envelope["events"]
    extra = sorted(set(envelope) - {"events"})
    if extra:
        raise EventRejected([FieldError(codes.SCHEMA_VIOLATION, f"unexpected field {k!r}", f"/{k}") for k in extra])
    if not documents:
        raise EventRejected([FieldError(codes.SCHEMA_VIOLATION, "the batch holds no events", "/events")])
    if len(documents) > max_events:
        raise TooManyEvents(f"{len(documents)} events in one batch; at most {max_events}", path="/events")
    return documents


def accept_documents(services: Services, caller: Caller, documents: Sequence[Any]) -> list[ItemOutcome]:
    """Accept decoded JSON events one by one; a bad item never blocks the others.
    All accepted items are committed together, then their tasks are sent."""
    ctx = event_context(services)
    refused: list[ItemOutcome] = []
    candidates: list[_Candidate] = []
    for index, document in enumerate(documents):
        try:
            event = parse_event(document, ctx)
            check_admissible(services, caller, event)
            candidates.append(_Candidate(index, event, document, _canonical(document)))
        except (EventRejected, NotAccredited) as error:
            refused.append(ItemOutcome(index, error=error))
    outcomes = refused + _record_all(services, caller, candidates)
    return sorted(outcomes, key=lambda o: o.index)


def accept_csv(services: Services, caller: Caller, data: bytes | str, *, max_events: int | None = None,
               on_progress: Progress | None = None) -> CsvIntake:
    """Accept a CSV upload (`pipeline.events.csv_rows`): each event on its own, each row reported.
    A file that cannot be read at all (bad header, not UTF-8, no data rows) is one `EventRejected`.
    `max_events` defaults to the batch limit (the CLI import lifts it); `on_progress(done, total)`
    is called as events are stored, one transaction per `CHUNK` events."""
    parsed = parse_csv(data, event_context(services))
    _refuse_unreadable(parsed)
    limit = services.settings.max_batch_events if max_events is None else max_events
    if len(parsed.events) > limit:
        raise TooManyEvents(f"{len(parsed.events)} events in one upload; at most {limit}")
    refused: list[ItemOutcome] = []
    candidates: list[_Candidate] = []
    for index, group in enumerate(parsed.events):
        try:
            if group.event is None:
                raise EventRejected(group.errors)
            check_admissible(services, caller, group.event)
            candidates.append(_Candidate(index, group.event, group.native, _canonical(group.native)))
        except (EventRejected, NotAccredited) as error:
            refused.append(ItemOutcome(index, error=error))
    recorded = _record_chunked(services, caller, candidates, len(refused), len(parsed.events), on_progress)
    events = tuple(sorted(refused + recorded, key=lambda o: o.index))
    return CsvIntake(events=events, rows=_row_outcomes(parsed, events))


def _record_chunked(services: Services, caller: Caller, candidates: Sequence[_Candidate], done: int, total: int,
                    on_progress: Progress | None) -> list[ItemOutcome]:
    outcomes: list[ItemOutcome] = []
    for start in range(0, len(candidates), CHUNK):
        outcomes += _record_all(services, caller, candidates[start:start + CHUNK])
        if on_progress:
            on_progress(done + len(outcomes), total)
    return outcomes


def _refuse_unreadable(parsed: CsvImport) -> None:
    whole_file = [e for e in parsed.errors if e.row is None or e.row <= 1]
    if whole_file:
        raise EventRejected(whole_file)
    if not parsed.events and not parsed.errors:
        raise EventRejected([FieldError(codes.SCHEMA_VIOLATION, "the file has a header but no data rows",
                                        "/rows/2", 2)])


def _row_outcomes(parsed: CsvImport, events: Sequence[ItemOutcome]) -> tuple[RowOutcome, ...]:
    rows = [
        RowOutcome(row, group.event_id, outcome.accepted, outcome.error)
        for group, outcome in zip(parsed.events, events, strict=True)
        for row in group.rows
    ]
    rows += [
        RowOutcome(e.row, None, error=EventRejected([e])) for e in parsed.errors if e.row is not None and e.row > 1
    ]
    return tuple(sorted(rows, key=lambda r: r.row))


def _canonical(document: Any) -> bytes:
    try:
        return jcs(document)
    except IssuerError as error:
        problem = FieldError(codes.SCHEMA_VIOLATION, f"the event cannot be stored as JSON: {error}", "")
        raise EventRejected([problem]) from error


def _record_all(services: Services, caller: Caller, candidates: Sequence[_Candidate]) -> list[ItemOutcome]:
    if not candidates:
        return []
    now = services.clock()
    with _write_sessions(services, candidates)() as session, session.begin():
        fresh = _insert_new(session, caller, candidates, now)
        outcomes = [ItemOutcome(c.index, accepted=Accepted(fresh[c.index], True)) if c.index in fresh
                    else _record_one(session, caller, c, now) for c in candidates]
    _send_after_commit(services, [o.accepted.event.id for o in outcomes if o.accepted and o.accepted.created])
    return outcomes


def _write_sessions(services: Services, candidates: Sequence[_Candidate]) -> sessionmaker[Session]:
    """One event is one `INSERT ... ON CONFLICT DO NOTHING` (then, only for a replay or a conflict,
    reads): on PostgreSQL it runs without BEGIN and COMMIT round trips. Several events are
    inserted in one transaction: all of them or none."""
    return statement_session_factory(services.engine) if len(candidates) == 1 else services.sessions


def _insert_new(session: Session, caller: Caller, candidates: Sequence[_Candidate], now: datetime) -> dict[int, Event]:
    """Insert every candidate in one statement; the events created, by candidate index. A
    candidate not created (a replay, a conflict, a repeat within the request) goes through
    `_record_one`, which tells the cases apart."""
    rows = [event_values(provider_id=caller.provider_id, provider_event_id=c.event.provider_event_id,
                         raw_payload=c.raw, source_format=c.event.source_format, parsed=c.event.to_json(), now=now)
            for c in candidates]
    created = record_new_events(session, rows)
    return {c.index: created.pop(c.event.provider_event_id) for c in candidates
            if c.event.provider_event_id in created}


def _record_one(session: Session, caller: Caller, candidate: _Candidate, now: datetime) -> ItemOutcome:
    event = candidate.event
    try:
        recorded = record_event(
            session, provider_id=caller.provider_id, provider_event_id=event.provider_event_id,
            raw_payload=candidate.raw, source_format=event.source_format, parsed=event.to_json(), now=now,
        )
    except EventConflict as conflict:
        existing = _stored_event(session, caller.provider_id, event.provider_event_id)
        if existing is None or not _same_document(existing.raw_payload, candidate.document):
            return ItemOutcome(candidate.index, error=conflict)
        recorded = Recorded(existing, created=False)
    return ItemOutcome(candidate.index, accepted=Accepted(recorded.event, recorded.created))


def _stored_event(session: Session, provider_id: str, provider_event_id: str) -> Event | None:
    query = select(Event).where(Event.provider_id == provider_id, Event.provider_event_id == provider_event_id)
    return session.scalars(query).one_or_none()


def _same_document(stored: bytes, document: Any) -> bool:
    try:
        return jcs(decode_json(stored)) == jcs(document)
    except (EventRejected, IssuerError):
        return False


def _send_after_commit(services: Services, event_ids: Sequence[str]) -> None:
    """Send the committed events' tasks, `TASK_EVENTS` events per message (in request order);
    on the first failure stop and leave the rest (still `received`) to the sweeper, so a
    broker outage costs one timeout, not one per event."""
    for start in range(0, len(event_ids), TASK_EVENTS):
        chunk = list(event_ids[start:start + TASK_EVENTS])
        try:
            if len(chunk) == 1:
                services.dispatcher.send_process_event(chunk[0])
            else:
                services.dispatcher.send_process_events(chunk)
        except Exception:  # any broker/client failure: the sweeper re-sends what is left
            logger.exception("could not send the processing task for event %s; %d event(s) left to the sweeper",
                             chunk[0], len(event_ids) - start)
            return
