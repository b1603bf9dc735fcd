"""The worker's tasks: thin, explicitly named, taking ids (DESIGN.md rule 4).

- `badgeline.process_event(event_id)`: `pipeline.processing.process_event`.
- `badgeline.process_events(event_ids)`: `pipeline.delivery.process_events`, many events per
  message (the intake sends a request's events together); a transient failure retries only
  the events not done yet.
- `badgeline.sweep_received()`: re-send tasks of events left `received` (or stuck
  `processing`), and the re-signing of status lists whose bits changed since they were
  signed (or that near their `validUntil`); run by beat every `sweep_interval_s`.
- `badgeline.publish_status_list(list_id)`: re-sign a status list from the store (for a
  process without the key that changed a credential's status).
- `badgeline.issue_credential(credential_json, options)`: sign a caller's credential for the
  VC API (`pipeline.issue_service.issue_result`). The one task whose result is stored
  (`ignore_result=False`): the web process waits for it. Never retried: the caller is waiting.
- `badgeline.issue_bound_credential(offer_id, holder_did)`: a wallet's credential bound to its
  DID (`pipeline.wallet.bound`); like `issue_credential`, its result is awaited, never retried.

Retries with exponential backoff and jitter (1, 2, 4 ... capped at 60 s, 12 tries) happen
ONLY for transient failures: database unavailable or busy, our own races
(`processing.is_retryable`), broker unavailable. Permanent failures are recorded on the
event by `process_event` itself; an unknown event id is logged and dropped.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from celery import Celery, Task
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from pipeline.delivery import RetryRemaining
from pipeline.errors import InvalidStateTransition, PipelineError
from pipeline.processing import is_retryable

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.worker import WorkerRuntime

log = logging.getLogger(__name__)

PROCESS_EVENT = "badgeline.process_event"
PROCESS_EVENTS = "badgeline.process_events"
SWEEP_RECEIVED = "badgeline.sweep_received"
PUBLISH_STATUS_LIST = "badgeline.publish_status_list"
ISSUE_CREDENTIAL = "badgeline.issue_credential"
ISSUE_BOUND_CREDENTIAL = "badgeline.issue_bound_credential"

MAX_RETRIES = 12
BACKOFF_MAX_S = 60.0


def retry_countdown(retries: int) -> float:
    """Seconds before retry number `retries + 1`: 2**retries capped at 60, times 0.5-1 (jitter)."""
    return min(BACKOFF_MAX_S, 2.0 ** retries) * random.uniform(0.5, 1.0)


def should_retry(error: BaseException) -> bool:
    """Transient: the store (`is_retryable`) or the broker is unavailable."""
    return isinstance(error, (KombuOperationalError, RedisConnectionError)) or is_retryable(error)


def _run(task: Task, action: Callable[[], object]) -> None:
    try:
        action()
    except Exception as error:
        if should_retry(error):
            log.warning("%s: transient failure (%s), retry %d", task.name, error, task.request.retries + 1)
            raise task.retry(exc=error, countdown=retry_countdown(task.request.retries)) from error
        raise


def _sweep_step(what: str, action: Callable[[], list[str]]) -> list[str]:
    """One part of the sweep; a failure is logged and left to the next sweep."""
    try:
        return action()
    except PipelineError as error:
        log.warning("%s stopped: %s [%s]; the next one goes on", what, error.message, error.code)
        return []


def register_tasks(app: Celery, runtime: Callable[[], WorkerRuntime]) -> None:
    """Register the tasks on `app`; `runtime()` gives this process's WorkerRuntime."""

    @app.task(name=PROCESS_EVENT, bind=True, shared=False, max_retries=MAX_RETRIES)
    def process_event(task: Task, event_id: str) -> None:
        try:
            _run(task, lambda: runtime().process(event_id))
        except InvalidStateTransition as error:
            log.error("event %s: %s [%s]; task dropped", event_id, error.message, error.code)
        except RetryRemaining as stopped:  # its own event again; events it took come back with the sweep
            log.warning("%s: transient failure (%s), retry %d", task.name, stopped.error, task.request.retries + 1)
            raise task.retry(exc=stopped.error, countdown=retry_countdown(task.request.retries)) from stopped

    @app.task(name=PROCESS_EVENTS, bind=True, shared=False, max_retries=MAX_RETRIES)
    def process_events(task: Task, event_ids: list[str]) -> None:
        try:
            runtime().process_many(event_ids)
        except RetryRemaining as stopped:
            log.warning("%s: transient failure (%s), retry %d of %d event(s)", task.name, stopped.error,
                        task.request.retries + 1, len(stopped.remaining))
            raise task.retry(args=[stopped.remaining], exc=stopped.error,
                             countdown=retry_countdown(task.request.retries)) from stopped

    @app.task(name=SWEEP_RECEIVED, bind=True, shared=False)
    def sweep_received(task: Task) -> None:
        sent = _sweep_step("sweep", lambda: runtime().sweep())
        if sent:
            log.info("sweep re-sent %d event(s)", len(sent))
        lists = _sweep_step("status list sweep", lambda: runtime().sweep_status_lists())
        if lists:
            log.info("sweep asked to re-sign status list(s) %s", ", ".join(lists))

    @app.task(name=PUBLISH_STATUS_LIST, bind=True, shared=False, max_retries=MAX_RETRIES)
    def publish_status_list(task: Task, list_id: str) -> None:
        _run(task, lambda: runtime().publish_status_list(list_id))

    @app.task(name=ISSUE_CREDENTIAL, bind=True, shared=False, ignore_result=False, max_retries=0)
    def issue_credential(task: Task, credential_json: str, options: dict) -> dict:
        return runtime().issue_credential(credential_json, options)

    @app.task(name=ISSUE_BOUND_CREDENTIAL, bind=True, shared=False, ignore_result=False, max_retries=0)
    def issue_bound_credential(task: Task, offer_id: str, holder_did: str) -> dict:
        return runtime().issue_bound_credential(offer_id, holder_did)
