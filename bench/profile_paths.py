"""Where the milliseconds go: profile the intake (one event, a batch) and the worker's per-event path.

    python -m bench.profile_paths [-n 300] [--postgres URL] [--redis URL] [--top 12]

In one process, on a fresh store (SQLite in a temporary folder, or a fresh PostgreSQL schema):

- intake, one event: `POST /api/v1/events` through the Flask app (test client, no HTTP server),
  with the real Celery dispatcher sending to a real Redis (a private queue, deleted after);
- intake, batch: `POST /api/v1/events:batch` of n events;
- worker: `pipeline.delivery.process_events` on those events (whole-level events, each issuing
  one signed credential), in tasks of `intake.TASK_EVENTS` events;
- the crypto floor: sign + self-verify of the same credential (`pipeline.issuance.sign_and_check`).

For each: ms per event, SQL statements per event (counted on the engine), and the top
functions by own time (cProfile). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import redis
from sqlalchemy import event as sa_event

from bench.credentials_bench import ROOT, progress
from bench.pipeline_bench import fresh_schema, make_event
from pipeline.delivery import process_events
from pipeline.demo import accredit
from pipeline.intake import TASK_EVENTS
from pipeline.issuance import sign_and_check
from pipeline.runner import prepare
from pipeline.services import build_services
from pipeline.settings import Settings
from pipeline.web import create_app
from pipeline.worker import CeleryDispatcher, WorkerOptions, create_celery_app


class StatementCounter:
    """Counts the SQL statements an engine executes (executemany counts once)."""

    def __init__(self, engine) -> None:
        self.count = 0
        sa_event.listen(engine, "before_cursor_execute", self._on)

    def _on(self, *args) -> None:
        self.count += 1


def profiled(label: str, n: int, action: Callable[[], None], counter: StatementCounter, top: int) -> dict:
    """Run `action` under cProfile; print and return ms and statements per event."""
    before = counter.count
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    action()
    profile.disable()
    seconds = time.perf_counter() - started
    statements = counter.count - before
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(r"(pipeline|issuer|verifier)/", top)
    print(f"\n== {label}: {n} events, {1000 * seconds / n:.2f} ms/event (profiled), "
          f"{statements / n:.1f} SQL statements/event; by own time, then cumulative (our code)")
    print("\n".join(line.replace(str(ROOT) + "/", "") for line in out.getvalue().splitlines()
                    if line.strip() and not line.lstrip().startswith(("Ordered", "List reduced", "ncalls"))
                    and "function calls" not in line))
    return {"label": label, "ms_per_event": 1000 * seconds / n, "statements_per_event": statements / n}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--postgres", metavar="URL")
    parser.add_argument("--redis", metavar="URL", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args(argv)

    queue = f"bench-profile-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="badgeline-profile-") as tmp, fresh_schema(args.postgres) as url:
        values: dict = {"data_dir": Path(tmp), "public_url": "http://127.0.0.1:8000", "redis_url": args.redis,
                        "celery_queue": queue}
        if url:
            values["database_url"] = url
        settings = Settings.explicit(**values)
        prepare(settings)
        key = accredit(settings)["north"]
        app = create_celery_app(settings, WorkerOptions(queue=queue))
        services = build_services(settings, dispatcher=CeleryDispatcher(app, queue))
        counter = StatementCounter(services.engine)
        client = create_app(settings, services=services, mount_verifier=False).test_client()
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        now = datetime.now(timezone.utc)
        results = []
        try:
            def single() -> None:
                for i in range(args.n):
                    response = client.post("/api/v1/events", data=json.dumps(make_event(i, now)), headers=headers)
                    if response.status_code != 202:
                        raise SystemExit(f"POST /events answered {response.status_code}: {response.data[:300]!r}")
                    progress("single", i + 1, args.n)

            def batch() -> None:
                events = [make_event(args.n + i, now) for i in range(args.n)]
                response = client.post("/api/v1/events:batch", data=json.dumps({"events": events}), headers=headers)
                if response.status_code >= 300:
                    raise SystemExit(f"events:batch answered {response.status_code}")

            results.append(profiled("intake, single POST /api/v1/events", args.n, single, counter, args.top))
            results.append(profiled("intake, POST /api/v1/events:batch", args.n, batch, counter, args.top))
            results.append(worker_profile(settings, services, counter, args.n * 2, args.top))
            results.append(floor_profile(settings, services, counter, args.top))
        finally:
            services.close()
            client = redis.Redis.from_url(args.redis)
            client.delete(*(list(client.scan_iter(match=f"*{queue}*")) or ["-"]))
    print("\nsummary (one process, the machine shared; compare rows of the same run only)")
    for r in results:
        print(f"  {r['label']:<48}{r['ms_per_event']:8.2f} ms/event{r['statements_per_event']:8.1f} statements/event")


def _processor(settings: Settings, services):
    from pipeline.processing import Processor
    from pipeline.statuslists import SlotReservations
    from pipeline.identity import load_issuing_identity

    with services.sessions.begin() as session:
        identity = load_issuing_identity(settings, session, services.clock())
    return Processor(sessions=services.sessions, registry=services.registry, urls=services.urls,
                     public_url=settings.public_url, clock=services.clock, identity=lambda s, now: identity,
                     reservations=SlotReservations()), identity


def worker_profile(settings: Settings, services, counter: StatementCounter, n: int, top: int) -> dict:
    from sqlalchemy import select

    from pipeline.store.models import Event

    processor, _ = _processor(settings, services)
    with services.sessions() as session:
        ids = list(session.scalars(select(Event.id).where(Event.state == "received").order_by(Event.received_at)))

    def work() -> None:
        for start in range(0, len(ids), TASK_EVENTS):
            process_events(processor, ids[start:start + TASK_EVENTS])
            progress("worker", min(len(ids), start + TASK_EVENTS), len(ids))

    return profiled("worker, process_events (1 credential each)", len(ids) or n, work, counter, top)


def floor_profile(settings: Settings, services, counter: StatementCounter, top: int, n: int = 200) -> dict:
    """Sign + self-verify of a stored credential's unsigned form: the crypto floor of one event."""
    from sqlalchemy import select

    from pipeline.store.models import Credential

    _, identity = _processor(settings, services)
    with services.sessions() as session:
        document = session.scalars(select(Credential.document).limit(1)).one()
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    now = datetime.now(timezone.utc)

    def sign() -> None:
        for _ in range(n):
            sign_and_check(unsigned, identity, now)

    return profiled("crypto floor: sign + self-verify", n, sign, counter, top)


if __name__ == "__main__":
    main()
    sys.exit(0)
