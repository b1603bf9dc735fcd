"""Issue 10, "Operations": `badgeline doctor` reports the database, broker, workers, signing key,
status lists and stuck events, and exits non-zero when one is unhealthy. Real store (SQLite and
PostgreSQL), real Redis, a real Celery worker."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from click.testing import CliRunner
from sqlalchemy import update

from pipeline.cli import main
from pipeline.store.models import Event

from .conftest import native


def doctor(env: dict[str, str]) -> tuple[int, dict[str, dict]]:
    result = CliRunner(env=env).invoke(main, ["doctor", "--json"])
    findings = json.loads(result.output)
    return result.exit_code, {f["check"]: f for f in findings}


def test_a_healthy_stack_passes_and_each_fault_is_named(stack):
    env = stack.env()
    assert CliRunner(env=env).invoke(main, ["init"]).exit_code == 0
    stack.worker()
    code, found = doctor(env)
    assert code == 0, found
    assert all(f["ok"] for f in found.values())

    provider = stack.store.provider("Acme")
    event_id = stack.store.record(provider, native("stuck-1", statements=["P01"]))
    with stack.store.sessions.begin() as session:  # a worker died long ago holding this event
        long_ago = datetime.now(timezone.utc) - timedelta(days=1)
        session.execute(update(Event).where(Event.id == event_id).values(
            state="processing", updated_at=long_ago, task_sent_at=long_ago))
    code, found = doctor(env)
    assert code == 1 and not found["stuck events"]["ok"] and "1 stuck in processing" in found["stuck events"]["detail"]


def test_no_broker_and_no_worker_fail(stack):
    env = stack.env(BADGELINE_REDIS_URL="redis://127.0.0.1:1/0")
    assert CliRunner(env=env).invoke(main, ["init"]).exit_code == 0
    code, found = doctor(env)
    assert code == 1
    assert found["database"]["ok"] and found["signing key"]["ok"]
    assert not found["broker"]["ok"] and not found["workers"]["ok"]
