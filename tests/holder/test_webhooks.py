"""Webhooks: registration through the API, signed deliveries to a real local HTTP server,
retries with backoff for up to 3 days, the private-address guard, and the issued / revoked /
expiring notices (SQLite and PostgreSQL). The worker end to end is in test_webhook_worker.py."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from pipeline.store.api_keys import Scope, create_api_key
from pipeline.store.models import Credential, Event, WebhookDelivery
from pipeline.webhooks.delivery import GIVE_UP_AFTER, attempt, backoff, due_deliveries
from pipeline.webhooks.outbox import notify_credential_revoked, queue_expiring
from pipeline.webhooks.signing import verify_signature
from pipeline.webhooks.transport import GuardedPoster
from tests.holder.conftest import CLOCK, make_world
from tests.holder.receiver import Receiver


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def open_world(db_url, tmp_path, sessions, reader):
    """A world whose webhooks may go to 127.0.0.1 (BADGELINE_WEBHOOK_ALLOWED_HOSTS)."""
    yield from make_world(db_url, tmp_path, sessions, reader, webhook_allowed_hosts=["127.0.0.1"])


def bearer(world, provider: str = "Northside") -> dict[str, str]:
    with world.services.sessions.begin() as session:
        _row, key = create_api_key(session, provider_id=world.provider(provider), scopes=[Scope("29-2052.00")],
                                   now=CLOCK, pepper=b"")
    return {"Authorization": f"Bearer {key}"}


def register(world, url: str, provider: str = "Northside", **extra) -> dict:
    response = world.client.post("/api/v1/webhooks", json={"url": url, **extra}, headers=bearer(world, provider))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def deliveries(world) -> list[WebhookDelivery]:
    with world.services.read_sessions() as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.created_at)))


def run_due(world) -> list[str]:
    poster = GuardedPoster(world.settings.webhook_allowed_hosts)
    with world.services.read_sessions() as session:
        due = due_deliveries(session, world.clock())
    return [attempt(world.services.sessions, d, poster, world.clock()).state for d in due]


def test_register_list_delete(open_world, receiver):
    world = open_world
    created = register(world, receiver.url, events=["credential.issued"])
    assert created["secret"].startswith("whsec_") and created["events"] == ["credential.issued"]
    listed = world.client.get("/api/v1/webhooks", headers=bearer(world)).get_json()["webhooks"]
    assert [w["id"] for w in listed] == [created["id"]] and "secret" not in listed[0]
    assert world.client.delete(f"/api/v1/webhooks/{created['id']}", headers=bearer(world, "Other")).status_code == 404
    assert world.client.delete(f"/api/v1/webhooks/{created['id']}", headers=bearer(world)).status_code == 204
    assert world.client.get("/api/v1/webhooks", headers=bearer(world)).get_json() == {"webhooks": []}


def test_registration_refuses_plain_http_and_unknown_events(world, receiver):
    refused = world.client.post("/api/v1/webhooks", json={"url": receiver.url}, headers=bearer(world))
    assert refused.status_code == 400 and refused.get_json()["errors"][0]["path"] == "/url"
    bad = world.client.post("/api/v1/webhooks", json={"url": "https://hooks.example.org/x", "events": ["nope"]},
                            headers=bearer(world))
    assert bad.status_code == 400 and bad.get_json()["errors"][0]["path"] == "/events"


def test_issued_notice_is_signed_and_delivered(open_world, receiver):
    world = open_world
    secret = register(world, receiver.url)["secret"]
    credential_id = world.earn("emerging")
    assert run_due(world) == ["delivered"]
    (got,) = receiver.received
    assert got.path == "/hooks/badgeline" and got.headers["Badgeline-Event"] == "credential.issued"
    assert verify_signature(secret, got.headers["Badgeline-Signature"], got.body, now=CLOCK.timestamp())
    assert not verify_signature("whsec_wrong", got.headers["Badgeline-Signature"], got.body, now=CLOCK.timestamp())
    assert not verify_signature(secret, got.headers["Badgeline-Signature"], got.body + b" ", now=CLOCK.timestamp())
    assert not verify_signature(secret, got.headers["Badgeline-Signature"], got.body, now=CLOCK.timestamp() + 3600)
    body = json.loads(got.body)
    assert body["id"] == got.headers["Badgeline-Delivery"] and body["type"] == "credential.issued"
    assert body["data"]["credential"]["id"] == credential_id
    assert body["data"]["credential"]["public_url"] == f"{world.public}/c/{credential_id.removeprefix('urn:uuid:')}"
    assert body["data"]["credential"]["learner"] == {"email": "ana@example.org"}
    assert run_due(world) == []  # delivered once


def test_only_interested_providers_are_told(open_world, receiver):
    world = open_world
    register(world, receiver.url, provider="Elsewhere")
    world.earn("emerging", provider="Northside")
    assert deliveries(world) == []


def test_retries_with_backoff_then_delivers(open_world):
    world = open_world
    receiver = Receiver(statuses=[500, 200]).start()
    try:
        register(world, receiver.url)
        world.earn("emerging")
        assert run_due(world) == ["pending"]
        (row,) = deliveries(world)
        assert row.attempts == 1 and row.last_status == 500
        assert timedelta(seconds=30) <= row.next_attempt_at - world.clock() <= timedelta(seconds=33)
        assert run_due(world) == []  # not due yet
        world.clock.now = row.next_attempt_at
        assert run_due(world) == ["delivered"]
        first, second = receiver.received
        assert first.headers["Badgeline-Delivery"] == second.headers["Badgeline-Delivery"]
        assert first.body == second.body
    finally:
        receiver.stop()


def test_gives_up_after_three_days(open_world):
    world = open_world
    receiver = Receiver(statuses=[503]).start()
    try:
        register(world, receiver.url)
        world.earn("emerging")
        start, states = world.clock(), []
        while not states or states[-1] == "pending":
            states += run_due(world)
            (row,) = deliveries(world)
            world.clock.now = max(world.clock.now, row.next_attempt_at)
        assert states[-1] == "failed"
        assert row.attempts == len(receiver.received) and 10 <= row.attempts <= 25
        assert world.clock() - start <= GIVE_UP_AFTER
    finally:
        receiver.stop()
    assert backoff(1, jitter=0) == timedelta(seconds=30) and backoff(3, jitter=0) == timedelta(minutes=2)
    assert backoff(30, jitter=0) == timedelta(hours=6)


def test_private_and_loopback_addresses_are_refused(world, receiver):
    https_loopback = receiver.url.replace("http://", "https://")
    register(world, https_loopback)  # https passes registration; the address is checked on delivery
    register(world, https_loopback.replace("127.0.0.1", "localhost"))
    world.earn("emerging")
    assert run_due(world) == ["failed", "failed"]
    assert all("webhook_address_refused" in d.last_error for d in deliveries(world))
    assert receiver.received == []


def test_revoked_and_expiring_notices(open_world, receiver):
    world = open_world
    register(world, receiver.url)
    credential_id = world.earn("emerging")
    run_due(world)
    with world.services.sessions.begin() as session:
        assert len(notify_credential_revoked(session, credential_id, public_url=world.public, now=CLOCK)) == 1
        assert notify_credential_revoked(session, credential_id, public_url=world.public, now=CLOCK) == []
    assert run_due(world) == ["delivered"]
    assert receiver.received[-1].headers["Badgeline-Event"] == "credential.revoked"

    soon = world.issue_expiring(CLOCK + timedelta(days=20), email="kim@example.org")
    world.issue_expiring(CLOCK + timedelta(days=40), email="lee@example.org")
    # These were stored without an event: make Northside's event the one that completed the award.
    with world.services.sessions.begin() as session:
        award = session.get(Credential, soon).award
        award.event_id = session.scalars(select(Event.id)).first()
    with world.services.sessions.begin() as session:
        queued = queue_expiring(session, public_url=world.public, now=world.clock())
        assert len(queued) == 1
        assert queue_expiring(session, public_url=world.public, now=world.clock()) == []
    assert run_due(world) == ["delivered"]
    body = json.loads(receiver.received[-1].body)
    assert body["type"] == "credential.expiring" and body["data"]["credential"]["id"] == soon
    assert body["data"]["credential"]["valid_until"] == "2026-12-10T16:00:00Z"


def test_revoking_through_the_api_tells_the_providers_webhook(open_world, receiver):
    """`POST /credentials/<uuid>/revoke` queues `credential.revoked` in the revoking transaction."""
    world = open_world
    register(world, receiver.url)
    credential_id = world.earn("emerging")
    run_due(world)
    uuid = credential_id.removeprefix("urn:uuid:")
    revoked = world.client.post(f"/api/v1/credentials/{uuid}/revoke", json={"reason": "exam misconduct"},
                                headers=bearer(world))
    assert revoked.status_code == 200, revoked.get_json()
    assert run_due(world) == ["delivered"]
    body = json.loads(receiver.received[-1].body)
    assert body["type"] == "credential.revoked" and body["data"]["credential"]["id"] == credential_id
    again = world.client.post(f"/api/v1/credentials/{uuid}/revoke", json={"reason": "again"}, headers=bearer(world))
    assert again.status_code == 200 and run_due(world) == []  # nothing changed, nothing told
