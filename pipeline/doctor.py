"""`badgeline doctor`: is this deployment healthy? (issue 10, "Operations").

Each check returns a `Finding` (name, ok, detail) and never raises; the command prints them
and exits non-zero when one is not ok. The checks, in order:

1. database: a connection answers and the schema is at the migrations' head.
2. broker: Redis (`BADGELINE_REDIS_URL`) answers PING.
3. workers: at least one worker keeps its heartbeat on this deployment's queue (`pipeline.heartbeat`,
   what `/readyz` reads).
4. signing key: the key file loads (with its passphrase) into the issuer's key.
5. status lists: every allocated list has a signed document.
6. stuck events: none waiting in `received` past the sweep's age, or `processing` past the
   broker's visibility timeout twice over.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from pipeline.services import Services
from pipeline.settings import Settings
from pipeline.store.migrate import alembic_config
from pipeline.store.models import Event, StatusList


@dataclass(frozen=True)
class Finding:
    name: str
    ok: bool
    detail: str


def _guarded(name: str, check: Callable[[], tuple[bool, str]]) -> Finding:
    try:
        ok, detail = check()
    except Exception as error:  # noqa: BLE001 - a check reports, never raises
        return Finding(name, False, f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
    return Finding(name, ok, detail)


def check_database(services: Services) -> tuple[bool, str]:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with services.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        current = MigrationContext.configure(connection).get_current_revision()
    if current != head:
        return False, f"schema at {current}, migrations at {head}: run `badgeline init`"
    return True, f"reachable, schema at {head}"


def check_broker(settings: Settings) -> tuple[bool, str]:
    if not settings.redis_url:
        return False, "BADGELINE_REDIS_URL is not set (only `badgeline up` runs an embedded Redis)"
    import redis

    redis.Redis.from_url(settings.redis_url, socket_timeout=3, socket_connect_timeout=3).ping()
    return True, "answers PING"


def check_workers(settings: Settings) -> tuple[bool, str]:
    """The same liveness `/readyz` reads: the workers' heartbeat keys on this deployment's queue."""
    import redis

    from pipeline.heartbeat import live_workers

    client = redis.Redis.from_url(str(settings.redis_url), socket_timeout=3, socket_connect_timeout=3)
    try:
        workers = live_workers(client, settings.celery_queue)
    finally:
        client.close()
    if not workers:
        return False, f"no worker is alive on queue {settings.celery_queue!r}"
    return True, f"{len(workers)} worker(s) alive on queue {settings.celery_queue!r}"


def check_signing_key(settings: Settings) -> tuple[bool, str]:
    from issuer.keys import Ed25519Key

    if settings.key_file is None or not settings.key_file.exists():
        return False, f"no key file at {settings.key_file}: run `badgeline init`"
    passphrase = settings.key_passphrase.get_secret_value().encode() if settings.key_passphrase else None
    key = Ed25519Key.load(settings.key_file, passphrase)
    return True, f"{settings.key_file} loads ({key.did_key})"


def check_status_lists(services: Services) -> tuple[bool, str]:
    with services.read_sessions() as session:
        total = session.scalar(select(func.count()).select_from(StatusList)) or 0
        unsigned = session.scalar(select(func.count()).select_from(StatusList).where(
            StatusList.allocated > 0, StatusList.document.is_(None))) or 0
    if unsigned:
        return False, f"{unsigned} of {total} status lists in use have no signed document"
    return True, f"{total} status list(s), every one in use signed"


def check_stuck_events(services: Services, settings: Settings, now: datetime) -> tuple[bool, str]:
    waiting = now - timedelta(seconds=settings.sweep_min_age_s + 2 * settings.sweep_interval_s)
    processing = now - timedelta(seconds=2 * settings.broker_visibility_timeout_s)
    with services.read_sessions() as session:
        received = session.scalar(select(func.count()).select_from(Event).where(
            Event.state == "received", Event.received_at <= waiting)) or 0
        stuck = session.scalar(select(func.count()).select_from(Event).where(
            Event.state == "processing", Event.updated_at <= processing)) or 0
    if received or stuck:
        return False, f"{received} event(s) waiting in received, {stuck} stuck in processing"
    return True, "none"


def diagnose(settings: Settings, services: Services, now: datetime | None = None) -> list[Finding]:
    """Checks 1-6 of the module docstring."""
    now = now or datetime.now(timezone.utc)
    return [
        _guarded("database", lambda: check_database(services)),
        _guarded("broker", lambda: check_broker(settings)),
        _guarded("workers", lambda: check_workers(settings)),
        _guarded("signing key", lambda: check_signing_key(settings)),
        _guarded("status lists", lambda: check_status_lists(services)),
        _guarded("stuck events", lambda: check_stuck_events(services, settings, now)),
    ]
