"""One task, many events: claim them together, work them one by one, keep the claim alive.

What the `badgeline.process_events(event_ids)` task runs (issue 12: fewer messages and round
trips per event; issue 10 finding 2: a dead worker's events come back within seconds).

1. Claim: ONE statement moves every non-final event of the task to `processing`, counts the
   attempt and gives it a lease (`Processor.lease`, 15 s); final and unknown ids are skipped
   (a duplicate or stale delivery).
2. Work: each claimed event in its own transaction, in the order given (the intake sends a
   request's events in their order, so one learner's events are decided in that order),
   exactly as `processing.deliver` does for one event.
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

from pipeline.errors import PipelineError
from pipeline.processing import Processed, Processor, deliver, is_retryable
from pipeline.store.event_log import claim_events, renew_leases

log = logging.getLogger(__name__)


class RetryRemaining(PipelineError):
    """A transient failure stopped a batch; `remaining` (the failed event first) must be retried."""

    code = "transient_failure"

    def __init__(self, remaining: Sequence[str], error: BaseException) -> None:
        super().__init__(f"{len(remaining)} event(s) left after a transient failure: {error}")
        self.remaining = list(remaining)
        self.error = error


def process_events(processor: Processor, event_ids: Sequence[str]) -> list[Processed]:
    """Steps 1-4 of the module docstring; one `Processed` per id, in order."""
    ids = list(dict.fromkeys(event_ids))
    with processor.sessions.begin() as session:
        attempts = claim_events(session, ids, now=processor.clock(), lease=processor.lease)
    unknown = [i for i in ids if i not in attempts]
    if unknown:
        log.info("%d event(s) already final or unknown: skipped", len(unknown))
    results: list[Processed] = []
    held = [i for i in ids if i in attempts]
    renewed = time.monotonic()
    for position, event_id in enumerate(held):
        renewed = _renew_if_due(processor, held[position:], renewed)
        try:
            results.append(deliver(processor, event_id, attempts[event_id]))
        except Exception as error:
            if is_retryable(error):
                raise RetryRemaining(held[position:], error) from error
            raise
    done = {r.event_id: r for r in results}
    return [done.get(i) or Processed(i, "skipped") for i in ids]


def _renew_if_due(processor: Processor, still_held: list[str], renewed: float) -> float:
    """Renew the lease of `still_held` once a third of it has passed; the time of the last renewal."""
    if time.monotonic() - renewed < processor.lease.total_seconds() / 3:
        return renewed
    with processor.sessions.begin() as session:
        renew_leases(session, still_held, now=processor.clock(), lease=processor.lease)
    return time.monotonic()


__all__ = ["RetryRemaining", "process_events"]
