"""What `/healthz` and `/readyz` report: the parts the issuing service needs, each checked quickly.

- `database`: a `SELECT 1` on the store.
- `broker`: a Redis `PING` (only when the process has a broker URL).
- `workers`: how many workers keep a liveness key on the queue (`pipeline.heartbeat`).
`/healthz` is the liveness probe: `503` only when the database is down. `/readyz` is readiness:
`503` naming every part that is down, so an operator sees what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis
from sqlalchemy import text
from sqlalchemy.engine import Engine

from pipeline.heartbeat import live_workers


@dataclass(frozen=True)
class Health:
    checks: dict[str, bool]
    details: dict[str, Any]

    @property
    def ok(self) -> bool:
        return all(self.checks.values())

    @property
    def down(self) -> list[str]:
        return [name for name, ok in self.checks.items() if not ok]


def database_ok(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - health reports, never raises
        return False


def check_health(engine: Engine, redis_url: str | None, queue: str) -> Health:
    """Every check; broker and workers only where the process has a broker."""
    checks: dict[str, bool] = {"database": database_ok(engine)}
    details: dict[str, Any] = {}
    if redis_url:
        client = redis.Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1)
        try:
            client.ping()
            checks["broker"] = True
            workers = live_workers(client, queue)
        except redis.RedisError as error:
            checks["broker"], workers = False, []
            details["broker"] = f"the broker does not answer: {error}"
        finally:
            client.close()
        checks["workers"] = bool(workers)
        details["workers"] = [w["name"] for w in workers]
        if not workers:
            details.setdefault("workers_hint", "no worker is running on queue "
                               f"{queue!r}: events are stored but not processed until one starts")
    return Health(checks, details)
