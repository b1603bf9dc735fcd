"""Webhook registrations and the delivery outbox.

A notice is queued as one `WebhookDelivery` row per interested webhook, in the transaction
that makes the news (the credential insert, the revocation, the expiry scan), so a notice
is never lost nor sent for something rolled back; the worker sends it after commit and the
sweep re-sends whatever is due (`pipeline.webhooks.delivery`).

Interested providers: those who can read the credential in the provider API: the provider of
the event that completed the award, and those with passing evidence for the level's
statements. Each of their webhooks subscribed to the event type gets the notice once
(unique webhook + type + credential).

Body: `{"id": <delivery id>, "type", "created", "data": {"credential": {"id", "url",
"public_url", "framework": {"id", "version"}, "level", "learner": {"email"} | {"did"},
"issued_at", "valid_until", "revoked_at"}}}`.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select, union
from sqlalchemy.orm import Session, selectinload

from issuer.frameworks.models import statement_code
from pipeline.errors import PipelineError
from pipeline.outcomes import credential_url, public_page_url
from pipeline.store.models import Award, Credential, Event, Evidence, Learner, Webhook, WebhookDelivery
from pipeline.store.types import new_uuid

ISSUED, REVOKED, EXPIRING = "credential.issued", "credential.revoked", "credential.expiring"
EVENT_TYPES = (ISSUED, REVOKED, EXPIRING)
EXPIRY_NOTICE = timedelta(days=30)
MAX_WEBHOOKS = 20


class WebhookError(PipelineError):
    """A refused registration (`bad_request`, with a JSON-pointer path) or an unknown webhook."""

    code = "bad_request"


def _z(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if moment else None


# --- registrations -------------------------------------------------------------------------
def register_webhook(session: Session, *, provider_id: str, url: str, events: list[str] | None,
                     now: datetime) -> tuple[Webhook, str]:
    """A new webhook of the provider and its secret (shown once: the caller returns it)."""
    chosen = list(dict.fromkeys(events or EVENT_TYPES))
    unknown = [e for e in chosen if e not in EVENT_TYPES]
    if unknown:
        raise WebhookError(f"unknown event type(s) {unknown}; use {list(EVENT_TYPES)}", path="/events")
    if len(active_webhooks(session, provider_id)) >= MAX_WEBHOOKS:
        raise WebhookError(f"a provider may register at most {MAX_WEBHOOKS} webhooks", path="/url")
    secret = "whsec_" + secrets.token_urlsafe(32)
    row = Webhook(provider_id=provider_id, url=url, secret=secret, events=chosen, created_at=now)
    session.add(row)
    session.flush()
    return row, secret


def active_webhooks(session: Session, provider_id: str) -> list[Webhook]:
    query = (select(Webhook).where(Webhook.provider_id == provider_id, Webhook.deleted_at.is_(None))
             .order_by(Webhook.created_at, Webhook.id))
    return list(session.scalars(query))


def delete_webhook(session: Session, *, provider_id: str, webhook_id: str, now: datetime) -> bool:
    """Stop the webhook (its pending deliveries are dropped when due); False when not the provider's."""
    row = session.get(Webhook, webhook_id)
    if row is None or row.provider_id != provider_id or row.deleted_at is not None:
        return False
    row.deleted_at = now
    return True


def webhook_resource(row: Webhook, public_url: str) -> dict[str, Any]:
    return {"id": row.id, "url": row.url, "events": list(row.events), "created_at": _z(row.created_at),
            "self": f"{public_url}/api/v1/webhooks/{row.id}"}


# --- notices -------------------------------------------------------------------------------
_ANY_LIVE = select(Webhook.id).where(Webhook.deleted_at.is_(None)).limit(1)


def _any_live_webhook(session: Session) -> bool:
    """Whether any webhook is live: one tiny query per transaction (a worker's batch of events
    issues many credentials in one), remembered on the session for that transaction only."""
    transaction = session.get_transaction()
    cached = session.info.get("any_live_webhook")
    if cached is None or cached[0] is not transaction:
        cached = session.info["any_live_webhook"] = (transaction, session.scalar(_ANY_LIVE) is not None)
    return cached[1]


def interested_webhooks(session: Session, award: Award) -> list[Webhook]:
    """The live webhooks of the interested providers: the award's event provider and providers
    with passing evidence for its level's statements. One statement (issue 12: an issuance
    with no webhook registered pays one round trip, not four)."""
    prefix = statement_code(award.level, 1)[0]  # a level's statement codes all start with its initial
    providers = select(Evidence.provider_id).where(
        Evidence.learner_id == award.learner_id, Evidence.framework_code == award.framework_code,
        Evidence.framework_version == award.framework_version, Evidence.passed.is_(True),
        Evidence.statement_code.like(prefix + "%"))
    if award.event_id is not None:
        providers = union(select(Event.provider_id).where(Event.id == award.event_id), providers)
    return list(session.scalars(select(Webhook).where(
        Webhook.provider_id.in_(providers), Webhook.deleted_at.is_(None)).order_by(Webhook.created_at, Webhook.id)))


def notice_body(delivery_id: str, event_type: str, credential: Credential, learner: Learner | None,
                public_url: str, now: datetime) -> bytes:
    award = credential.award
    who = {"did": learner.did} if learner is not None and learner.did else (
        {"email": learner.email} if learner is not None and learner.email else {})
    body = {"id": delivery_id, "type": event_type, "created": _z(now), "data": {"credential": {
        "id": credential.id, "url": credential_url(public_url, credential.id),
        "public_url": public_page_url(public_url, credential.id),
        "framework": {"id": award.framework_code, "version": award.framework_version}, "level": award.level,
        "learner": who, "issued_at": _z(credential.issued_at), "valid_until": _z(credential.valid_until),
        "revoked_at": _z(credential.revoked_at)}}}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def queue_notice(session: Session, credential: Credential, event_type: str, *, public_url: str,
                 now: datetime) -> list[str]:
    """Delivery rows for every interested webhook not yet told this; returns their ids."""
    if not _any_live_webhook(session):  # the usual case on a fresh or hook-less service
        return []
    award = credential.award
    hooks = [hook for hook in interested_webhooks(session, award) if event_type in hook.events]
    if not hooks:
        return []
    done = set(session.scalars(select(WebhookDelivery.webhook_id).where(
        WebhookDelivery.credential_id == credential.id, WebhookDelivery.event_type == event_type)))
    learner = session.get(Learner, award.learner_id)
    queued = []
    for hook in hooks:
        if hook.id in done:
            continue
        delivery = WebhookDelivery(webhook_id=hook.id, event_type=event_type, credential_id=credential.id,
                                   body=b"", state="pending", attempts=0, next_attempt_at=now, created_at=now)
        delivery.id = new_uuid()
        delivery.body = notice_body(delivery.id, event_type, credential, learner, public_url, now)
        session.add(delivery)
        queued.append(delivery.id)
    session.flush()
    return queued


def _load(session: Session, credential_id: str) -> Credential:
    credential = session.get(Credential, credential_id, options=[selectinload(Credential.award)])
    if credential is None:
        raise WebhookError(f"no credential {credential_id}", code="not_found")
    return credential


def notify_credential_issued(session: Session, credential_id: str, *, public_url: str, now: datetime) -> list[str]:
    """Queue `credential.issued` (call in the issuing transaction, after the credential row is
    added; it is flushed here only when some webhook may want the notice)."""
    if not _any_live_webhook(session):
        return []
    session.flush()
    return queue_notice(session, _load(session, credential_id), ISSUED, public_url=public_url, now=now)


def notify_credential_revoked(session: Session, credential_id: str, *, public_url: str,
                              now: datetime | None = None) -> list[str]:
    """Queue `credential.revoked` (call in the revoking transaction, after `revoked_at` is set)."""
    moment = now or datetime.now(timezone.utc)
    return queue_notice(session, _load(session, credential_id), REVOKED, public_url=public_url, now=moment)


def queue_expiring(session: Session, *, public_url: str, now: datetime, within: timedelta = EXPIRY_NOTICE) -> list[str]:
    """Queue `credential.expiring` for unrevoked credentials whose `validUntil` falls within `within`."""
    query = (select(Credential).where(Credential.valid_until > now, Credential.valid_until <= now + within,
                                      Credential.revoked_at.is_(None), Credential.derived_from.is_(None)).options(selectinload(Credential.award)))
    queued: list[str] = []
    for credential in session.scalars(query):
        queued += queue_notice(session, credential, EXPIRING, public_url=public_url, now=now)
    return queued
