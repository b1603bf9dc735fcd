"""The webhook tasks (thin, named, taking ids; DESIGN.md rule 4) and their beat entries.

- `badgeline.deliver_webhook(delivery_id)`: one attempt (`delivery.attempt`); a failure is
  recorded on the row with its next time, never raised (the sweep sends it again when due).
- `badgeline.sweep_webhooks()`: beat, every `sweep_interval_s`: send the due deliveries.
- `badgeline.queue_expiring_notices()`: beat, every `EXPIRY_SCAN_S`: queue `credential.expiring`
  for credentials whose `validUntil` is within 30 days (once per credential and webhook).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from celery import Celery, Task
from sqlalchemy.orm import Session, sessionmaker

from pipeline.services import Services
from pipeline.webhooks.delivery import attempt, due_deliveries, pending_for
from pipeline.webhooks.outbox import queue_expiring
from pipeline.webhooks.transport import GuardedPoster

log = logging.getLogger(__name__)

DELIVER_WEBHOOK = "badgeline.deliver_webhook"
SWEEP_WEBHOOKS = "badgeline.sweep_webhooks"
QUEUE_EXPIRING = "badgeline.queue_expiring_notices"
EXPIRY_SCAN_S = 6 * 3600


def beat_schedule(sweep_interval_s: float) -> dict[str, dict]:
    return {SWEEP_WEBHOOKS: {"task": SWEEP_WEBHOOKS, "schedule": timedelta(seconds=sweep_interval_s)},
            QUEUE_EXPIRING: {"task": QUEUE_EXPIRING, "schedule": timedelta(seconds=EXPIRY_SCAN_S)}}


class WebhookRuntime:
    """What the webhook tasks of one worker process use."""

    def __init__(self, services: Services, app: Celery) -> None:
        self.services, self.app = services, app
        self.poster = GuardedPoster(services.settings.webhook_allowed_hosts)

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.services.sessions

    def send(self, delivery_ids: list[str]) -> None:
        for delivery_id in delivery_ids:
            self.app.send_task(DELIVER_WEBHOOK, args=[delivery_id], ignore_result=True)

    def send_for_credentials(self, credential_ids: tuple[str, ...] | list[str]) -> None:
        """After the issuing transaction committed: send its notices now (the sweep would, later)."""
        if credential_ids:
            with self.services.read_sessions() as session:
                self.send(pending_for(session, credential_ids))

    def deliver(self, delivery_id: str) -> str:
        return attempt(self.sessions, delivery_id, self.poster, self.services.clock()).state

    def sweep(self) -> list[str]:
        with self.services.read_sessions() as session:
            due = due_deliveries(session, self.services.clock())
        self.send(due)
        return due

    def queue_expiring(self) -> list[str]:
        with self.sessions.begin() as session:
            queued = queue_expiring(session, public_url=self.services.settings.public_url, now=self.services.clock())
        self.send(queued)
        return queued


def register_webhook_tasks(app: Celery, runtime: Callable[[], WebhookRuntime]) -> None:
    @app.task(name=DELIVER_WEBHOOK, bind=True, shared=False)
    def deliver_webhook(task: Task, delivery_id: str) -> None:
        runtime().deliver(delivery_id)

    @app.task(name=SWEEP_WEBHOOKS, bind=True, shared=False)
    def sweep_webhooks(task: Task) -> None:
        sent = runtime().sweep()
        if sent:
            log.info("webhook sweep sent %d delivery(ies)", len(sent))

    @app.task(name=QUEUE_EXPIRING, bind=True, shared=False)
    def queue_expiring_notices(task: Task) -> None:
        queued = runtime().queue_expiring()
        if queued:
            log.info("queued %d expiry notice(s)", len(queued))
