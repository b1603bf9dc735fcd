"""The process-event use case: evidence in, level credentials out, exactly once (issue 3, "Workers").

Free of Celery and Flask: `process_event` is what the `badgeline.process_event` task runs.

1. Claim (own transaction, committed): `received` -> `processing`, attempts + 1. A final
   event is a duplicate delivery: nothing is done.
2. Work (ONE transaction): lock the event row again (a concurrent duplicate that finished
   first wins), match the learner and lock the learner row, so events of one learner are
   decided one after the other; append the evidence; compute the levels reached
   (`levels_reached`, the framework version's policy; passes in an older version count
   where a published crosswalk maps them `same`, `pipeline.crosswalks`) minus those already awarded; for
   each new level create the award, a random revocation slot and the signed, self-verified
   credential, and queue its `credential.issued` webhook notices (`pipeline.webhooks.outbox`;
   the worker sends them after commit); then the same for each renewal due (`pipeline.renewals`:
   a level passed again in its credential's renewal window); finish the event `processed`. Killed here, everything rolls back and the
   redelivered task redoes it.
3. Outcome codes: `levels_reached` (this event completed at least one level; its awards
   carry `event_id`) or `no_new_level`. Permanent failures roll the work back and finish
   the event `rejected` with a code: `event_unparsed`, `framework_unknown` (the version
   is no longer held), `framework_changed` (a stored statement is not in it any more),
   `missing_learner_identity`, `issuance_failed` (build or self-verification failed),
   `processing_failed` (an unexpected error), `attempts_exhausted` (delivered more than
   `max_attempts` times). Transient failures (`is_retryable`) raise: the task retries, the
   event stays `processing` and nothing of the attempt remains.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from issuer.credentials import EvidenceItem, ProviderProfile, Recipient
from issuer.errors import FrameworkError, IssuerError, UnknownFrameworkError
from issuer.frameworks.models import Framework
from issuer.frameworks.policy import levels_reached
from issuer.frameworks.registry import FrameworkRegistry
from issuer.frameworks.urls import FrameworkUrls
from pipeline.crosswalks import passed_with_carried, with_carried_evidence
from pipeline.errors import PipelineError, StatusListFull, StoreError
from pipeline.events.normalized import AssessmentEvent
from pipeline.issuance import IssuingIdentity, issue_level_credential
from pipeline.renewals import Renewal, cited_since, expiring_levels, renewals_due, valid_until_for
from pipeline.services import Clock, Dispatcher
from pipeline.statuslists import SlotReservations, allocate_entry
from pipeline.store.engine import is_transient
from pipeline.store.event_log import (
    FINAL_STATES, claim_event, events_to_resend, expired_leases, finish_event, mark_task_sent, renew_leases,
)
from pipeline.store.evidence import awarded_levels, create_award, passing_evidence, record_evidence
from pipeline.store.learners import match_learner, public_account
from pipeline.store.models import Award, Credential, Event, Evidence, Learner
from pipeline.webhooks.outbox import notify_credential_issued

log = logging.getLogger(__name__)

LEVELS_REACHED = "levels_reached"
NO_NEW_LEVEL = "no_new_level"
DEFAULT_LEASE = timedelta(seconds=15)

IdentityLoader = Callable[[Session, datetime], IssuingIdentity]


class Rejection(PipelineError):
    """A permanent failure: the event is finished `rejected` with this code."""

    code = "processing_failed"


class TransientFailure(PipelineError):
    """A race or a full status list: retrying later succeeds."""

    code = "transient_failure"


def is_retryable(error: BaseException) -> bool:
    """Database unavailable or busy (`is_transient`), or a race: ours (`TransientFailure`) or a
    unique constraint another transaction won (`IntegrityError`; the redo sees its row).
    `Processor.max_attempts` bounds the redos of an event that fails this way every time."""
    return isinstance(error, (TransientFailure, IntegrityError)) or is_transient(error)


@dataclass
class Processor:
    """What processing needs; built once per worker process from `Services`."""

    sessions: sessionmaker[Session]
    registry: FrameworkRegistry
    urls: FrameworkUrls
    public_url: str
    clock: Clock
    identity: IdentityLoader
    before_commit: Callable[[], None] | None = None
    """Test hook: runs inside the work transaction, just before it commits."""
    max_attempts: int = 25
    """Deliveries after which an event that never completes is rejected (`attempts_exhausted`)."""
    lease: timedelta = DEFAULT_LEASE
    """How long a claim holds an event without renewal; the sweep re-sends it after that."""
    reservations: SlotReservations | None = None
    """The process's spare status-list reservations (`pipeline.statuslists.SlotReservations`)."""
    take_waiting: int = 0
    """A batch task claims waiting events until it holds this many (`pipeline.delivery`; 0: never)."""


@dataclass(frozen=True)
class Processed:
    """What one delivery did. `state` is `skipped` when the event was already final."""

    event_id: str
    state: str
    code: str | None = None
    levels: tuple[str, ...] = ()
    credential_ids: tuple[str, ...] = ()


# --- the use case -------------------------------------------------------------------------
def process_event(processor: Processor, event_id: str) -> Processed:
    """Steps 1-3 of the module docstring for one delivery of `event_id`."""
    with processor.sessions.begin() as session:
        claimed = claim_event(session, event_id, now=processor.clock(), lease=processor.lease)
        if claimed is None:
            return Processed(event_id, "skipped")
        attempts = claimed.attempts
    return deliver(processor, event_id, attempts)


def deliver(processor: Processor, event_id: str, attempts: int) -> Processed:
    """Steps 2-3 for an event claimed for the `attempts`-th time (transient failures raise)."""
    if attempts > processor.max_attempts:
        return _reject(processor, event_id, "attempts_exhausted",
                       f"Gave up after {attempts - 1} attempts that did not complete.")
    try:
        with processor.sessions.begin() as session:
            return _work(processor, session, event_id)
    except Rejection as rejection:
        return _reject(processor, event_id, rejection.code, rejection.message)
    except Exception as error:
        if is_retryable(error):
            raise
        log.exception("event %s: unexpected failure, rejecting it", event_id)
        return _reject(processor, event_id, Rejection.code, f"Processing failed ({type(error).__name__}).")


def _work(processor: Processor, session: Session, event_id: str) -> Processed:
    now = processor.clock()
    event = session.get(Event, event_id, with_for_update=True, populate_existing=True)
    if event is None or event.state in FINAL_STATES:
        return Processed(event_id, "skipped")
    parsed = parsed_event(event)
    framework = framework_of(processor.registry, parsed)
    learner = _locked_learner(session, parsed, event.provider_id, now)
    record_evidence(session, event=parsed, event_id=event.id, learner_id=learner.id,
                    provider_id=event.provider_id, now=now)
    standing = Standing.read(session, framework, learner.id)
    processed = decide(processor, session, event, parsed, framework, learner, standing, now)
    if processor.before_commit is not None:
        processor.before_commit()
    return processed


def decide(processor: Processor, session: Session, event: Event, parsed: AssessmentEvent, framework: Framework,
           learner: Learner, standing: Standing, now: datetime, locked: bool = False) -> Processed:
    """Step 2 after the evidence is recorded: the levels reached and renewals due, their
    credentials, and the event finished `processed` (not committed). `locked`: see `issue_level`."""
    issued = [issue_level(processor, session, event, framework, learner, level, now, standing=standing,
                          locked=locked)
              for level in new_levels(session, framework, learner.id, processor.registry, standing=standing)]
    if expiring_levels(framework):  # a renewal is only ever due for a level that expires
        awarded = standing.awarded | {award.level for award, _ in issued}
        issued += [issue_level(processor, session, event, framework, learner, due.level, now, renewal=due,
                               standing=standing)
                   for due in renewals_due(session, framework, learner.id, awarded, now)]
    event.learner_id = learner.id  # set here, it goes out with the final UPDATE (one round trip less)
    code, message = outcome(parsed, [c for _, c in issued])
    message += name_note(parsed, learner)
    finish_event(session, event, state="processed", now=now, outcome_code=code, outcome_message=message)
    return Processed(event.id, "processed", code, tuple(a.level for a, _ in issued), tuple(c.id for _, c in issued))


def _reject(processor: Processor, event_id: str, code: str, message: str) -> Processed:
    with processor.sessions.begin() as session:
        event = session.get(Event, event_id, with_for_update=True, populate_existing=True)
        if event is None or event.state in FINAL_STATES:
            return Processed(event_id, "skipped")
        finish_event(session, event, state="rejected", now=processor.clock(), outcome_code=code,
                     outcome_message=message)
    log.warning("event %s rejected: %s (%s)", event_id, code, message)
    return Processed(event_id, "rejected", code)


# --- the steps -----------------------------------------------------------------------------
def parsed_event(event: Event) -> AssessmentEvent:
    """The normalized event the API stored on the row (`AssessmentEvent.to_json`)."""
    try:
        return AssessmentEvent.from_json(event.parsed or {})
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise Rejection("The stored event has no readable normalized form.", code="event_unparsed") from error


def framework_of(registry: FrameworkRegistry, parsed: AssessmentEvent) -> Framework:
    try:
        return registry.get(parsed.framework_code, parsed.framework_version)
    except UnknownFrameworkError as error:
        raise Rejection(f"Framework {parsed.framework_code} {parsed.framework_version} is not held any more.",
                        code="framework_unknown") from error


def _locked_learner(session: Session, parsed: AssessmentEvent, provider_id: str, now: datetime) -> Learner:
    """Match the learner (DID, else normalized email, else the provider's account of them), their
    row held until commit (`match_learner(lock=True)`)."""
    try:
        return match_learner(session, parsed.learner, now=now, provider_id=provider_id, lock=True)
    except StoreError as error:
        if error.code == "missing_learner_identity":
            raise Rejection(error.message, code=error.code) from error
        raise TransientFailure(error.message, code=error.code) from error  # learner_conflict: a race


@dataclass(frozen=True)
class Standing:
    """What the learner holds in one framework version, read once per event after its evidence
    is recorded (issue 12: one read each instead of one per question asked of them)."""

    passing: tuple[Evidence, ...]
    """Every passing evidence row, oldest first."""
    awarded: frozenset[str]
    """Levels awarded (any renewal number)."""

    @classmethod
    def read(cls, session: Session, framework: Framework, learner_id: int) -> Standing:
        key = {"learner_id": learner_id, "framework_code": framework.code, "framework_version": framework.version}
        return cls(passing=tuple(passing_evidence(session, **key)), awarded=frozenset(awarded_levels(session, **key)))

    def passing_for(self, codes: Sequence[str]) -> list[Evidence]:
        wanted = set(codes)
        return [row for row in self.passing if row.statement_code in wanted]


def new_levels(session: Session, framework: Framework, learner_id: int, registry: FrameworkRegistry | None, *,
               standing: Standing) -> list[str]:
    """Levels the learner's accumulated passes reach (framework policy) not yet awarded; passes
    in older versions count where a crosswalk in `registry` maps them `same` (`pipeline.crosswalks`)."""
    own = {row.statement_code for row in standing.passing}
    try:
        reached = levels_reached(framework, framework.policy,
                                 passed_with_carried(session, registry, framework, learner_id, passed=own))
    except FrameworkError as error:
        raise Rejection(f"Stored evidence names a statement not in {framework.code} {framework.version}.",
                        code="framework_changed") from error
    return [level for level in reached if level not in standing.awarded]


def recipient_for(learner: Learner) -> Recipient:
    """The learner's DID when known, else their email hashed with a fresh salt; plus the name."""
    if learner.did:
        return Recipient(name=learner.display_name, did=learner.did)
    return Recipient(name=learner.display_name, email=learner.email, account=public_account(learner.account),
                     salt=secrets.token_hex(16))


def evidence_items(session: Session, rows: Sequence[Evidence]) -> tuple[list[EvidenceItem], list[ProviderProfile]]:
    """One EvidenceItem per distinct (provider, assessment) among `rows` (oldest first, dated by
    its first pass) and the providers involved, as credential sources."""
    providers = {r.provider_id: r.provider for r in rows}  # loaded with the rows (`passing_evidence`)
    groups: dict[tuple[str, str], list[Evidence]] = {}
    for row in rows:
        groups.setdefault((row.provider_id, row.assessment_id), []).append(row)
    items = [
        EvidenceItem(id=group[0].assessment_url, name=group[0].assessment_name, description=None, narrative=None,
                     provider_name=providers[provider_id].name,
                     statements=tuple(sorted({r.statement_code for r in group})), assessed_at=group[0].assessed_at)
        for (provider_id, _), group in groups.items()
    ]
    sources = [ProviderProfile(id=f"urn:uuid:{p.id}", name=p.name, url=p.url)
               for p in dict.fromkeys(providers[r.provider_id] for r in rows)]
    return items, sources


def issue_level(
    processor: Processor, session: Session, event: Event, framework: Framework, learner: Learner, level: str,
    now: datetime, *, standing: Standing, renewal: Renewal | None = None, locked: bool = False,
) -> tuple[Award, Credential]:
    """Award `level` (or its `renewal`) to the learner and store its signed, self-verified credential.

    `locked`: the caller holds the learner's row and knows the level is not awarded (a batch
    of events, `pipeline.delivery`), so the award goes out with the next flush; otherwise it is
    inserted now and a concurrent twin is a `TransientFailure`."""
    award = create_award(session, learner_id=learner.id, framework_code=framework.code,
                         framework_version=framework.version, level=level, event_id=event.id, now=now,
                         renewal=renewal.number if renewal else 0, pending=locked)
    if award is None:
        raise TransientFailure(f"level {level} was awarded concurrently; redo with fresh data", code="award_race")
    rows = standing.passing_for(framework.level(level).codes)
    cited = cited_since(rows, renewal)
    items, sources = evidence_items(session, cited)
    items, sources = with_carried_evidence(session, processor.registry, framework, learner.id, level, cited, items,
                                           sources, evidence_items)
    valid_until = valid_until_for(framework, level, now)
    credential_id = f"urn:uuid:{uuid.uuid4()}"
    identity = processor.identity(session, now)
    try:
        allocated = allocate_entry(session, identity=identity, public_url=processor.public_url, now=now,
                                   reservations=processor.reservations)
        document = issue_level_credential(
            framework=framework, level=level, urls=processor.urls, identity=identity, recipient=recipient_for(learner),
            now=now, credential_id=credential_id, awarded_date=now, evidence=items, sources=sources,
            status_entry=allocated.entry, image=processor.urls.achievement_image(framework, level),
            valid_until=valid_until,
        )
    except StatusListFull as error:
        raise TransientFailure(str(error), code="status_list_full") from error
    except IssuerError as error:  # the credential or the first status list failed to build or verify
        raise Rejection(f"The {level} credential could not be issued: {error} [{error.code}]",
                        code="issuance_failed") from error
    credential = Credential(id=credential_id, award=award, document=document, issued_at=now,
                            status_list_id=allocated.slot.status_list_id, status_index=allocated.slot.index,
                            valid_until=valid_until, replaces_id=renewal.replaces.id if renewal else None)
    session.add(credential)  # flushed by the next flush, before the slot's link to it (FK order)
    allocated.slot.credential = credential
    notify_credential_issued(session, credential_id, public_url=processor.public_url, now=now)  # webhook outbox
    return award, credential


def outcome(parsed: AssessmentEvent, credentials: Sequence[Credential]) -> tuple[str, str]:
    """The outcome code and message recorded on the event."""
    passed = len(parsed.passed_statements)
    recorded = f"{len(parsed.results)} statement result(s) recorded, {passed} passed"
    if not credentials:
        return NO_NEW_LEVEL, f"{recorded}; no new level reached."
    return LEVELS_REACHED, f"{recorded}; {len(credentials)} level credential(s) issued."


def name_note(parsed: AssessmentEvent, learner: Learner) -> str:
    """A sentence for the outcome when the event names a known learner differently: the learner
    keeps the name first recorded, and so do their credentials."""
    given, recorded = (parsed.learner.name or "").strip(), (learner.display_name or "").strip()
    if not given or not recorded or given == recorded:
        return ""
    return (f" This event names the learner {given!r}, but they are recorded as {recorded!r}: "
            f"their credentials carry {recorded!r}.")


# --- the sweep -----------------------------------------------------------------------------
def stuck_processing(session: Session, *, now: datetime, older_than: timedelta, limit: int = 500) -> list[str]:
    """Events left `processing` whose claim lease ran out (their worker died, or their task was
    lost with the broker or exhausted its retries); a claim without a lease after `older_than`."""
    return expired_leases(session, now=now, stuck_after=older_than, limit=limit)


def sweep(
    sessions: sessionmaker[Session], dispatcher: Dispatcher, *, now: datetime, min_age: timedelta,
    stuck_after: timedelta, lease: timedelta = DEFAULT_LEASE,
) -> list[str]:
    """Re-send the tasks of events still `received` after `min_age` (lost between commit and
    send) and of events `processing` whose lease ran out; a re-sent event gets a fresh lease
    (no re-send at every sweep while the message waits in the queue). Returns the ids sent."""
    with sessions.begin() as session:
        ids = events_to_resend(session, now=now, min_age=min_age)
        ids += stuck_processing(session, now=now, older_than=stuck_after)
    sent: list[str] = []
    try:
        for event_id in ids:
            dispatcher.send_process_event(event_id)
            sent.append(event_id)
    finally:
        if sent:
            with sessions.begin() as session:
                mark_task_sent(session, sent, now=now)
                renew_leases(session, sent, now=now, lease=lease)
    return sent


__all__ = [
    "DEFAULT_LEASE", "LEVELS_REACHED", "NO_NEW_LEVEL", "Processed", "Processor", "Rejection", "TransientFailure",
    "Standing", "decide", "deliver", "evidence_items", "is_retryable", "new_levels", "outcome", "process_event", "recipient_for", "stuck_processing",
    "sweep",
]
