"""One attempt of one webhook delivery, the retry schedule and the sweep.

`attempt(sessions, delivery_id, poster, now)`:
1. Claim (own transaction): the row must be `pending`, due (`next_attempt_at <= now`) and not
   claimed by another attempt (`locked_until`); it is claimed for `LOCK`. Otherwise nothing
   happens (a duplicate task, or not due yet): tasks are idempotent.
2. POST the stored body, signed now (`signing`), through the guard (`transport`).
3. Record (own transaction): 2xx -> `delivered`. A refused address or a deleted webhook ->
   `failed` at once. Anything else: `attempts + 1` and `next_attempt_at = now + backoff`
   (30 s, 1 min, 2 min, ... doubling, at most 6 h, with up to 10 % jitter); once the next
   attempt would fall more than `GIVE_UP_AFTER` (3 days) after the notice was queued, `failed`.

`due_deliveries` is what the sweep (beat, every `sweep_interval_s`) re-sends: pending rows
whose time has come and that nobody holds, so retries and restarts need no in-memory state.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from pipeline.store.models import Webhook, WebhookDelivery
from pipeline.webhooks.signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signature_header
from pipeline.webhooks.transport import DeliveryFailed, DeliveryRefused, GuardedPoster

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=6)
GIVE_UP_AFTER = timedelta(days=3)
LOCK = timedelta(minutes=2)


def backoff(attempts: int, *, jitter: float | None = None) -> timedelta:
    """Wait after the `attempts`-th failed attempt: 30 s * 2**(attempts-1), capped at 6 h, plus 0-10 %."""
    base = min(MAX_RETRY, FIRST_RETRY * (2 ** max(0, attempts - 1)))
    return base * (1 + (random.uniform(0, 0.1) if jitter is None else jitter))


@dataclass(frozen=True)
class Attempted:
    delivery_id: str
    state: str
    """`skipped` (not claimable), `delivered`, `pending` (will retry) or `failed`."""
    status: int | None = None
    error: str | None = None


def _claim(session: Session, delivery_id: str, now: datetime) -> bool:
    claimed = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.state == "pending",
               WebhookDelivery.next_attempt_at <= now,
               or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until <= now))
        .values(locked_until=now + LOCK).execution_options(synchronize_session=False))
    return claimed.rowcount == 1


def attempt(sessions: sessionmaker[Session], delivery_id: str, poster: GuardedPoster, now: datetime) -> Attempted:
    """Steps 1-3 of the module docstring."""
    with sessions.begin() as session:
        if not _claim(session, delivery_id, now):
            return Attempted(delivery_id, "skipped")
        delivery = session.get(WebhookDelivery, delivery_id)
        hook = session.get(Webhook, delivery.webhook_id)
        url, secret, deleted = hook.url, hook.secret, hook.deleted_at is not None
        body, event_type = delivery.body, delivery.event_type
    status, error, refused = None, None, deleted
    if deleted:
        error = "webhook deleted"
    else:
        headers = {SIGNATURE_HEADER: signature_header(secret, int(now.timestamp()), body),
                   EVENT_HEADER: event_type, DELIVERY_HEADER: delivery_id}
        try:
            status = poster.post(url, body, headers).status
        except DeliveryRefused as exc:
            refused, error = True, f"{exc.code}: {exc.message}"
        except DeliveryFailed as exc:
            error = f"{exc.code}: {exc.message}"
    return _record(sessions, delivery_id, now, status=status, error=error, refused=refused)


def _record(sessions: sessionmaker[Session], delivery_id: str, now: datetime, *, status: int | None,
            error: str | None, refused: bool) -> Attempted:
    with sessions.begin() as session:
        row = session.get(WebhookDelivery, delivery_id, with_for_update=True)
        row.attempts += 1
        row.last_status, row.locked_until = status, None
        if status is not None and 200 <= status < 300:
            row.state, row.delivered_at, row.last_error = "delivered", now, None
        else:
            row.last_error = error or f"HTTP {status}"
            retry_at = now + backoff(row.attempts)
            if refused or retry_at > row.created_at + GIVE_UP_AFTER:
                row.state = "failed"
            else:
                row.next_attempt_at = retry_at
        result = Attempted(delivery_id, row.state, status, row.last_error)
    log.log(logging.INFO if result.state == "delivered" else logging.WARNING, "webhook delivery %s: %s %s",
            delivery_id, result.state, result.error or result.status)
    return result


def due_deliveries(session: Session, now: datetime, limit: int = 500) -> list[str]:
    """Pending deliveries whose next attempt is due and that no attempt holds, oldest first."""
    query = (select(WebhookDelivery.id)
             .where(WebhookDelivery.state == "pending", WebhookDelivery.next_attempt_at <= now,
                    or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until <= now))
             .order_by(WebhookDelivery.next_attempt_at).limit(limit))
    return list(session.scalars(query))


def pending_for(session: Session, credential_ids: list[str] | tuple[str, ...]) -> list[str]:
    """Pending deliveries about these credentials (sent right after the issuing transaction commits)."""
    if not credential_ids:
        return []
    return list(session.scalars(select(WebhookDelivery.id).where(
        WebhookDelivery.credential_id.in_(list(credential_ids)), WebhookDelivery.state == "pending")))
