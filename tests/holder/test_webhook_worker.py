"""Webhooks through real Celery workers on real Redis: the issued notice is sent right after
the issuing transaction commits, and a delivery left pending (its task never sent: a crash
after commit) is picked up by the beat sweep. Receiver: a real local HTTP server."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest

from issuer.frameworks import FrameworkUrls
from pipeline.identity import load_issuing_identity
from pipeline.processing import Processor, process_event
from pipeline.webhooks.outbox import register_webhook
from pipeline.webhooks.signing import verify_signature
from tests.holder.receiver import Receiver
from tests.worker.conftest import PUBLIC, REGISTRY, native, shared_redis, stack_factory  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow
CLOCK = datetime(2026, 11, 20, 16, 0, tzinfo=timezone.utc)


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def hook(stack, receiver) -> tuple[str, str]:
    provider = stack.store.provider("Northside")
    with stack.store.sessions.begin() as session:
        _row, secret = register_webhook(session, provider_id=provider, url=receiver.url, events=None, now=CLOCK)
    return provider, secret


def test_worker_sends_the_issued_notice_after_commit(stack_factory, shared_redis, receiver):  # noqa: F811
    stack = stack_factory(shared_redis)
    provider, secret = hook(stack, receiver)
    stack.worker(BADGELINE_WEBHOOK_ALLOWED_HOSTS="127.0.0.1")
    event_id = stack.store.record(provider, native("lvl-1", level="emerging"))
    stack.dispatcher().send_process_event(event_id)
    stack.store.wait_final([event_id])
    (got,) = receiver.wait(1)
    assert verify_signature(secret, got.headers["Badgeline-Signature"], got.body, now=time.time())
    (credential,) = stack.store.credentials_of(event_id)
    assert json.loads(got.body)["data"]["credential"]["id"] == credential.id


def test_beat_sweep_sends_a_pending_delivery_after_a_crash(stack_factory, shared_redis, receiver):  # noqa: F811
    stack = stack_factory(shared_redis, sweep_interval_s=1.0)
    provider, secret = hook(stack, receiver)
    event_id = stack.store.record(provider, native("lvl-2", level="emerging"))
    processor = Processor(sessions=stack.store.sessions, registry=REGISTRY, urls=FrameworkUrls(PUBLIC),
                          public_url=PUBLIC, clock=lambda: datetime.now(timezone.utc),
                          identity=lambda s, now: load_issuing_identity(stack.settings, s, now))
    assert process_event(processor, event_id).credential_ids  # committed; no task sent for the notice
    stack.worker("-B", BADGELINE_WEBHOOK_ALLOWED_HOSTS="127.0.0.1")
    (got,) = receiver.wait(1, timeout=90.0)  # beat's first sweep comes after the worker and beat start
    assert got.headers["Badgeline-Event"] == "credential.issued"
    assert verify_signature(secret, got.headers["Badgeline-Signature"], got.body, now=time.time())
