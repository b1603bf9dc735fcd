"""One task, many events: claim them together, work them in one transaction, keep the claim alive.

What the `badgeline.process_events(event_ids)` task runs (issue 12: fewer messages and round
trips per event; issue 10 finding 2: a dead worker's events come back within seconds).

1. Claim: ONE statement moves every non-final event of the task to `processing`, counts the
   attempt and gives it a lease (`Processor.lease`, 15 s); final and unknown ids are skipped
   (a duplicate or stale delivery). A task with room (`Processor.take_waiting`, 20 in a
   worker) also claims the oldest events still waiting, in one more statement: a stream of
   single POSTs (one message each) is worked 20 at a time when it queues up, and the messages
   of the events taken find them done. The events are worked in acceptance order
   (`received_at`, then the time-ordered id).
2. Work, together (`work_together`): ONE transaction for all the claimed events, in the order
   given (the intake sends a request's events in their order, so one learner's events are
   decided in that order). One statement each locks the events, finds and locks (or creates)
   their learners, records their evidence, and reads what the learners hold; then each event
   is decided as `processing.decide` decides one (its credentials signed, the event finished),
   seeing only the evidence of the events before it. All commit together or none does.
   Anything out of the ordinary (a rejection, a learner whose record would change, a learner
   created meanwhile by another worker, renewals or crosswalks in play, an unexpected error)
   rolls the whole transaction back, and the events are worked one by one instead, each in
   its own transaction, exactly as `processing.deliver` does for one event.
3. Renew: between events, once a third of the lease has passed, the events still held get a
   fresh lease. A worker that dies stops renewing; the sweep re-sends what it held as soon
   as the lease runs out. A re-send of an event still being worked is harmless: the row lock
   and the final-state check make the second delivery a no-op.
4. A transient failure (`is_retryable`) stops the batch: `RetryRemaining` carries the ids not
   done yet, for the task to retry with just those.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from sqlalchemy import select

from pipeline.errors import PipelineError, StoreError
from pipeline.processing import (
    Processed, Processor, Rejection, Standing, decide, deliver, framework_of, is_retryable, parsed_event,
)
from pipeline.renewals import expiring_levels
from pipeline.store.event_log import FINAL_STATES, claim_events, claim_waiting, renew_leases
from pipeline.store.evidence import awards_of, evidence_rows, passing_evidence_of
from pipeline.store.inserts import insert_or_skip_statement
from pipeline.store.learners import match_learners
from pipeline.store.models import Event, Evidence

log = logging.getLogger(__name__)


class RetryRemaining(PipelineError):
    """A transient failure stopped a batch; `remaining` (the failed event first) must be retried."""

    code = "transient_failure"

    def __init__(self, remaining: Sequence[str], error: BaseException) -> None:
        super().__init__(f"{len(remaining)} event(s) left after a transient failure: {error}")
        self.remaining = list(remaining)
        self.error = error


def process_events(processor: Processor, event_ids: Sequence[str]) -> list[Processed]:
    """Steps 1-4 of the module docstring; one `Processed` per id, in order, then one per event
    taken from those waiting (`Processor.take_waiting`)."""
    ids = list(dict.fromkeys(event_ids))
    now = processor.clock()
    with processor.sessions.begin() as session:
        claims = claim_events(session, ids, now=now, lease=processor.lease)
        room = processor.take_waiting - len(claims)
        if room > 0:
            claims.update(claim_waiting(session, room, now=now, lease=processor.lease, exclude=list(claims)))
    unknown = [i for i in ids if i not in claims]
    if unknown:
        log.info("%d event(s) already final or unknown: skipped", len(unknown))
    taken = [i for i in claims if i not in set(ids)]
    # acceptance order when events were taken; else the task's own order (the intake's)
    held = sorted(claims, key=lambda i: (claims[i].received_at, i)) if taken else [i for i in ids if i in claims]
    order = ids + sorted(taken, key=held.index)
    results: list[Processed] = []
    renewed = time.monotonic()
    if held and max(claims[i].attempts for i in held) <= processor.max_attempts:
        try:
            together = work_together(processor, held)
        except Exception as error:
            if is_retryable(error):
                raise RetryRemaining(held, error) from error
            raise
        if together is not None:
            done = {r.event_id: r for r in together}
            return [done.get(i) or Processed(i, "skipped") for i in order]
        renewed = _renew_if_due(processor, held, renewed)
    for position, event_id in enumerate(held):
        renewed = _renew_if_due(processor, held[position:], renewed)
        try:
            results.append(deliver(processor, event_id, claims[event_id].attempts))
        except Exception as error:
            if is_retryable(error):
                raise RetryRemaining(held[position:], error) from error
            raise
    done = {r.event_id: r for r in results}
    return [done.get(i) or Processed(i, "skipped") for i in order]


class _OneByOne(Exception):
    """The batch met something `work_together` leaves to the one-event path."""


def work_together(processor: Processor, event_ids: list[str]) -> list[Processed] | None:
    """Step 2 of the module docstring for events claimed together; None when they must be
    worked one by one (nothing of the attempt remains). Transient failures raise."""
    try:
        with processor.sessions.begin() as session:
            return _together(processor, session, event_ids)
    except _OneByOne as why:
        log.debug("%d events worked one by one: %s", len(event_ids), why)
        return None
    except Exception as error:
        if is_retryable(error):
            raise
        # not expected: the one-by-one path rejects the event at fault; the trace is for us
        log.warning("%d events worked one by one after an unexpected error", len(event_ids), exc_info=True)
        return None


def _together(processor: Processor, session, event_ids: list[str]) -> list[Processed]:
    now = processor.clock()
    rows = {e.id: e for e in session.scalars(select(Event).where(Event.id.in_(sorted(event_ids)))
                                             .order_by(Event.id).with_for_update()
                                             .execution_options(populate_existing=True))}
    live = [rows[i] for i in event_ids if i in rows and rows[i].state not in FINAL_STATES]
    try:
        work = [(event, parsed_event(event)) for event in live]
        frameworks = {event.id: framework_of(processor.registry, parsed) for event, parsed in work}
    except Rejection as rejection:
        raise _OneByOne(rejection.code) from rejection
    for framework in frameworks.values():
        if expiring_levels(framework) or (processor.registry is not None
                                          and processor.registry.crosswalks_into(framework)):
            raise _OneByOne("renewals or crosswalks in play")
    try:
        learners = match_learners(session, [(parsed.learner, event.provider_id) for event, parsed in work], now=now)
    except StoreError as error:
        raise _OneByOne(error.code) from error
    session.execute(insert_or_skip_statement(session, Evidence), [  # nothing returned: half the time
        row for (event, parsed), learner in zip(work, learners)
        for row in evidence_rows(event=parsed, event_id=event.id, learner_id=learner.id,
                                 provider_id=event.provider_id, now=now)])
    passing: dict[tuple, list[Evidence]] = {}
    for row in passing_evidence_of(session, {learner.id for learner in learners}):
        passing.setdefault((row.learner_id, row.framework_code, row.framework_version), []).append(row)
    awarded: dict[tuple, set[str]] = {}
    for learner_id, code, version, level in awards_of(session, {learner.id for learner in learners}):
        awarded.setdefault((learner_id, code, version), set()).add(level)
    results = [Processed(i, "skipped") for i in event_ids if i not in {e.id for e in live}]
    later = {event.id for event in live}
    with session.no_autoflush:  # the credentials, slot links and event outcomes go out together below
        results += _decide_each(processor, session, work, learners, frameworks, passing, awarded, later, now)
    session.flush()
    if processor.before_commit is not None:
        processor.before_commit()
    return results


def _decide_each(processor: Processor, session, work, learners, frameworks, passing, awarded, later,
                 now) -> list[Processed]:
    results = []
    for (event, parsed), learner in zip(work, learners):
        later.discard(event.id)
        framework = frameworks[event.id]
        key = (learner.id, framework.code, framework.version)
        standing = Standing(
            passing=tuple(r for r in passing.get(key, ()) if r.event_id not in later),  # as if the later events were not in yet
            awarded=frozenset(awarded.get(key, ())))
        try:
            processed = decide(processor, session, event, parsed, framework, learner, standing, now, locked=True)
        except Rejection as rejection:
            raise _OneByOne(rejection.code) from rejection
        awarded.setdefault(key, set()).update(processed.levels)
        results.append(processed)
    return results


def _renew_if_due(processor: Processor, still_held: list[str], renewed: float) -> float:
    """Renew the lease of `still_held` once a third of it has passed; the time of the last renewal."""
    if time.monotonic() - renewed < processor.lease.total_seconds() / 3:
        return renewed
    with processor.sessions.begin() as session:
        renew_leases(session, still_held, now=processor.clock(), lease=processor.lease)
    return time.monotonic()


__all__ = ["RetryRemaining", "process_events", "work_together"]
