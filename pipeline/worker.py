"""The Celery application of the workers, composed once from Settings (DESIGN.md "composition").

`create_celery_app(settings, options)` configures a Redis broker (`settings.redis_url`),
JSON messages, late acknowledgement (`task_acks_late`,
`task_reject_on_worker_lost`, prefetch 1: a task killed mid-way is delivered again) and
a Redis visibility timeout (300 s by default: an unacknowledged message of a dead worker
comes back after it; keep task retries' backoff below it). Beat runs
`badgeline.sweep_received` every `settings.sweep_interval_s`. Results are ignored
(`task_ignore_result`) except for `badgeline.issue_credential` and
`badgeline.issue_bound_credential`, which the web process waits
for (`CeleryCredentialIssuer`): the result backend is the broker's Redis, results expire
after `RESULT_EXPIRES_S`.

Everything a task needs (engine, framework registry, clock, the signing key) is built
lazily, once per worker process (`WorkerRuntime`), so a web process that creates the app
only to send tasks (`CeleryDispatcher`) opens no database and reads no key.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeoutError
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pipeline.errors import PipelineError, SettingsError
from pipeline.framework_catalog import refresh_registry
from pipeline.heartbeat import Heartbeat
from pipeline.identity import load_issuing_identity
from pipeline.issuance import IssuingIdentity
from pipeline.key_rotation import key_file_stamp
from pipeline.issue_service import IssuerUnavailable, issue_result
from pipeline.delivery import process_events
from pipeline.json_logs import bound, use_json_logs
from pipeline.processing import Processed, Processor, sweep
from pipeline.services import Services, build_services
from pipeline.settings import Settings
from pipeline.revocation import lists_due
from pipeline.statuslists import RESIGN_AFTER, SlotReservations, publish_status_list
from pipeline.tasks import (
    ISSUE_CREDENTIAL, PROCESS_EVENT, PROCESS_EVENTS, PUBLISH_STATUS_LIST, SWEEP_RECEIVED, register_tasks,
)
from pipeline.webhooks.tasks import WebhookRuntime, beat_schedule, register_webhook_tasks

log = logging.getLogger(__name__)

DEFAULT_QUEUE = "badgeline"
DEFAULT_VISIBILITY_TIMEOUT_S = 300.0
PUBLISH_RETRY_POLICY = {"max_retries": 3, "interval_start": 0, "interval_step": 0.5, "interval_max": 1.0}
"""Sending a task when Redis is down fails within about 2 s (the sweep re-sends later)."""
RESULT_EXPIRES_S = 300
RESULT_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1.0}
"""The result store is the broker's Redis: when it is down, give up within seconds (a 503)."""
ISSUE_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class WorkerOptions:
    """Worker knobs, normally from Settings (`for_settings`), so the web, the CLI and the
    workers agree on them.

    `queue`: the queue tasks are sent to and consumed from (`BADGELINE_CELERY_QUEUE`).
    `visibility_timeout_s`: Redis redelivers an unacknowledged message after this
    (`BADGELINE_BROKER_VISIBILITY_TIMEOUT_S`). `pause_before_commit_s`: TEST HOOK, sleeps
    inside the work transaction just before commit so a test can kill the worker there
    (`BADGELINE_TEST_PAUSE_BEFORE_COMMIT_S`; never set it in production).
    """

    queue: str = DEFAULT_QUEUE
    visibility_timeout_s: float = DEFAULT_VISIBILITY_TIMEOUT_S
    pause_before_commit_s: float = 0.0

    @classmethod
    def for_settings(cls, settings: Settings, environ: Mapping[str, str] | None = None) -> WorkerOptions:
        """Queue and visibility timeout from `settings`; the test hook from `environ` (celery_main only)."""
        try:
            pause = float((environ or {}).get("BADGELINE_TEST_PAUSE_BEFORE_COMMIT_S") or 0)
        except ValueError as error:
            raise SettingsError(f"invalid worker option: {error}", code="worker_option_invalid") from error
        return cls(queue=settings.celery_queue, visibility_timeout_s=settings.broker_visibility_timeout_s,
                   pause_before_commit_s=pause)

    @property
    def stuck_after(self) -> timedelta:
        """A `processing` event untouched this long lost its message: twice the visibility timeout."""
        return timedelta(seconds=2 * self.visibility_timeout_s)


class BrokerUnavailable(PipelineError):
    """The task could not be handed to Redis (the event stays `received`; the sweep re-sends it)."""

    code = "broker_unavailable"


class CeleryDispatcher:
    """`Dispatcher` over Celery: sends `badgeline.process_event(event_id)` (or
    `badgeline.process_events(event_ids)`) by name."""

    def __init__(self, app: Celery, queue: str | None = None) -> None:
        self.app = app
        self.queue = queue

    def send_process_event(self, event_id: str) -> None:
        try:
            self.app.send_task(PROCESS_EVENT, args=[event_id], queue=self.queue, ignore_result=True)
        except KombuOperationalError as error:
            raise BrokerUnavailable(f"could not send the task of event {event_id}: {error}") from error

    def send_publish_status_list(self, list_id: str) -> None:
        try:
            self.app.send_task(PUBLISH_STATUS_LIST, args=[list_id], queue=self.queue, ignore_result=True)
        except KombuOperationalError as error:
            raise BrokerUnavailable(f"could not send the re-signing of status list {list_id}: {error}") from error

    def send_process_events(self, event_ids: list[str]) -> None:
        """One message for many events (`badgeline.process_events`), worked in this order."""
        try:
            self.app.send_task(PROCESS_EVENTS, args=[list(event_ids)], queue=self.queue, ignore_result=True)
        except KombuOperationalError as error:
            raise BrokerUnavailable(f"could not send the task of {len(event_ids)} event(s): {error}") from error


class CeleryCredentialIssuer:
    """`CredentialIssuer` over Celery: sends `badgeline.issue_credential` and waits for its result.

    The message expires with the wait, so a worker never signs for a caller who gave up.
    """

    def __init__(self, app: Celery, timeout_s: float = ISSUE_TIMEOUT_S) -> None:
        self.app, self.timeout_s = app, timeout_s

    def issue(self, credential: dict, options: dict) -> dict:
        try:
            result = self.app.send_task(ISSUE_CREDENTIAL, args=[json.dumps(credential), options],
                                        ignore_result=False, expires=self.timeout_s)
        except (KombuOperationalError, RedisError, RuntimeError) as error:
            raise _unavailable(error, "could not reach the workers") from error
        try:
            return result.get(timeout=self.timeout_s)
        except CeleryTimeoutError as error:
            raise IssuerUnavailable(f"no worker signed within {self.timeout_s:g} s",
                                    code="issuer_timeout") from error
        except (RedisError, RuntimeError) as error:
            raise _unavailable(error, "the result could not be read") from error
        finally:
            _forget(result)


def _unavailable(error: Exception, what: str) -> IssuerUnavailable:
    """Redis down. Celery's result consumer reports a failed reconnect as a RuntimeError caused by
    the connection error (it reconnects on the next call); any other RuntimeError is a bug."""
    if isinstance(error, RuntimeError) and not isinstance(error.__cause__, (RedisError, KombuOperationalError)):
        raise error
    return IssuerUnavailable(f"{what}: {error.__cause__ or error}".strip(), code="broker_unavailable")


def _forget(result) -> None:
    """Drop a read (or abandoned) result now rather than at expiry; best effort."""
    try:
        result.forget()
    except (KombuOperationalError, RedisError):
        pass


class WorkerRuntime:
    """Services, processor and identity of one worker process, built on first use."""

    def __init__(self, settings: Settings, options: WorkerOptions, app: Celery) -> None:
        self.settings, self.options, self.app = settings, options, app
        self._identity: IssuingIdentity | None = None
        self._key_stamp: tuple[int, int, int] | None = None

    @cached_property
    def services(self) -> Services:
        return build_services(self.settings, dispatcher=CeleryDispatcher(self.app))

    @cached_property
    def processor(self) -> Processor:
        services = self.services
        return Processor(
            sessions=services.sessions, registry=services.registry, urls=services.urls,
            public_url=self.settings.public_url, clock=services.clock, identity=self.identity,
            before_commit=self._pause() if self.options.pause_before_commit_s > 0 else None,
            lease=timedelta(seconds=self.settings.claim_lease_s), reservations=SlotReservations(),
            take_waiting=self.settings.worker_task_events,
        )

    @cached_property
    def webhooks(self) -> WebhookRuntime:
        return WebhookRuntime(self.services, self.app)

    def load_identity(self) -> IssuingIdentity:
        """The issuing identity, loaded once per process in its own transaction (which records
        the key row; two workers starting together may race on it: the loser loads again), and
        again whenever the key file changed (`badgeline keys rotate`, see `key_file_stamp`).
        Called before a task's transactions begin: SQLite allows one writer at a time."""
        stamp = key_file_stamp(self.settings)
        if stamp != self._key_stamp:
            self._identity, self._key_stamp = None, stamp
        if self._identity is None:
            for attempt in range(2):
                try:
                    with self.services.sessions.begin() as session:
                        self._identity = load_issuing_identity(self.settings, session, self.services.clock())
                    break
                except IntegrityError:
                    if attempt:
                        raise
        return self._identity

    def identity(self, session: Session, now: datetime) -> IssuingIdentity:
        return self._identity or load_issuing_identity(self.settings, session, now)

    def _pause(self) -> Callable[[], None]:
        seconds = self.options.pause_before_commit_s
        log.warning("TEST HOOK: every work transaction sleeps %.1f s before commit", seconds)
        return lambda: time.sleep(seconds)

    def process(self, event_id: str) -> Processed:
        """A single event's task: the batch path (`process_many`), which also takes waiting events."""
        return self.process_many([event_id])[0]

    def process_many(self, event_ids: list[str]) -> list[Processed]:
        """`process` for a batch task's events (`pipeline.delivery`), with the same after-commit work."""
        self.load_identity()
        refresh_registry(self.services.registry)  # framework versions added since the last task
        results = process_events(self.processor, event_ids)
        # committed: tell the providers now (one read for the whole task, not one per event)
        self.webhooks.send_for_credentials([c for result in results for c in result.credential_ids])
        for result in results:
            with bound(event_id=result.event_id):
                log.info("event %s: %s %s %s", result.event_id, result.state, result.code or "",
                         ",".join(result.levels),
                         extra={"credential_ids": list(result.credential_ids), "code": result.code})
        return results

    def sweep(self) -> list[str]:
        services = self.services
        return sweep(services.sessions, services.dispatcher, now=services.clock(),
                     min_age=timedelta(seconds=self.settings.sweep_min_age_s), stuck_after=self.options.stuck_after,
                     lease=timedelta(seconds=self.settings.claim_lease_s))

    def issue_credential(self, credential_json: str, options: dict) -> dict:
        identity, now = self.load_identity(), self.services.clock()
        result = issue_result(credential_json, options, identity, now)
        log.info("issue_credential: %s", "signed" if "verifiableCredential" in result
                 else f"refused [{result['problem']['code']}]")
        return result

    def issue_bound_credential(self, offer_id: str, holder_did: str) -> dict:
        from pipeline.wallet.bound import issue_bound_result

        identity, services = self.load_identity(), self.services
        result = issue_bound_result(services.sessions.begin, offer_id, holder_did, identity=identity,
                                    public_url=self.settings.public_url, now=services.clock())
        log.info("issue_bound_credential: %s", "signed" if "verifiableCredential" in result
                 else f"refused [{result['error']}]")
        return result

    def publish_status_list(self, list_id: str) -> None:
        services = self.services
        identity, now = self.load_identity(), services.clock()
        with services.sessions.begin() as session:
            publish_status_list(session, list_id, identity=identity,
                                public_url=self.settings.public_url, now=now)
        log.info("status list %s re-signed", list_id)

    def sweep_status_lists(self) -> list[str]:
        """Send the re-signing of every list changed but not re-signed, or near its validUntil."""
        services = self.services
        with services.read_sessions() as session:
            due = lists_due(session, now=services.clock(), resign_after=RESIGN_AFTER)
        for list_id in due:
            services.dispatcher.send_publish_status_list(list_id)
        return due


def transport_options(visibility_timeout_s: float) -> dict[str, float | int]:
    """Redis transport options: the visibility timeout, and a scan for messages of dead workers
    every tenth of it (1-30 s; also at worker start), so they come back soon after it expires."""
    return {"visibility_timeout": visibility_timeout_s,
            "unacked_restore_interval": max(1, min(30, round(visibility_timeout_s / 10))),
            "unacked_restore_throttle": 1, "socket_connect_timeout": 5}


def _json_logs_after_celery_setup() -> None:
    """Celery builds its handlers at worker start: put the JSON formatter on them afterwards."""
    from celery.signals import after_setup_logger, after_setup_task_logger

    def install(logger: logging.Logger, **_: Any) -> None:
        use_json_logs(logger)

    after_setup_logger.connect(install, weak=False)
    after_setup_task_logger.connect(install, weak=False)


def create_celery_app(settings: Settings, options: WorkerOptions | None = None) -> Celery:
    """The configured Celery app with the badgeline tasks registered (see the module docstring)."""
    options = options or WorkerOptions.for_settings(settings)
    if not settings.redis_url:
        raise SettingsError("the worker needs a broker: set BADGELINE_REDIS_URL (redis://...)",
                            code="redis_url_missing")
    app = Celery("badgeline", broker=settings.redis_url, set_as_current=False)
    app.conf.update(
        task_serializer="json", accept_content=["json"], result_serializer="json",
        task_ignore_result=True, result_backend=settings.redis_url, result_expires=RESULT_EXPIRES_S,
        result_backend_transport_options={"retry_policy": RESULT_RETRY_POLICY}, redis_socket_connect_timeout=2,
        task_store_errors_even_if_ignored=False,
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        task_default_queue=options.queue,
        broker_transport_options=transport_options(options.visibility_timeout_s),
        broker_connection_retry_on_startup=True, broker_connection_max_retries=None,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        task_publish_retry=True, task_publish_retry_policy=PUBLISH_RETRY_POLICY,
        beat_schedule={SWEEP_RECEIVED: {"task": SWEEP_RECEIVED,
                                        "schedule": timedelta(seconds=settings.sweep_interval_s)},
                        **beat_schedule(settings.sweep_interval_s)},
        beat_schedule_filename=str(settings.data_dir / "celerybeat-schedule"),
        enable_utc=True, timezone="UTC",
    )
    app.steps["consumer"].add(Heartbeat)  # liveness for /healthz and /readyz (after the forks)
    if settings.log_format == "json":
        _json_logs_after_celery_setup()
    runtime = WorkerRuntime(settings, options, app)
    register_tasks(app, lambda: runtime)
    register_webhook_tasks(app, lambda: runtime.webhooks)
    return app
