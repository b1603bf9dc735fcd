"""Post N events through the HTTP API to K workers; report intake and issuance rates and latency.

    python -m bench.pipeline_bench [-n 2000] [-k 1 2] [--clients 8] [--postgres URL] [--redis URL]

For each K, a fresh stack (`badgeline up` machinery: store, Redis, K worker processes, waitress)
runs in a temporary data directory. Each event is a whole-level assessment for a distinct
learner, so every event issues one signed credential (the heaviest case). Figures:

- accepted/s: events answered 202 per second of posting (`--clients` concurrent HTTP clients);
- credentials/s: credentials issued per second, first event received -> last event processed;
- post -> credential p50 / p99: `finished_at - received_at` of each event, from the store.

For scale, the reference implementation's sign + verify rate on one core (`@digitalbazaar/vc`,
via interop/bench.js) is measured in the same run: the crypto alone of an issuer built on it
that verifies what it signs, as ours does.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import create_engine, func, select

from bench.credentials_bench import progress, realistic_credential, time_reference
from issuer.keys import Ed25519Key
from pipeline.demo import accredit
from pipeline.embedded_redis import free_port
from pipeline.runner import running_stack
from pipeline.services import build_services
from pipeline.settings import Settings
from pipeline.store import normalize_url
from pipeline.store.models import Credential, Event

LEVELS = ("emerging", "developing", "proficient", "advanced")


def make_event(i: int, now: datetime) -> dict:
    return {
        "event_id": f"bench-{i}", "type": "assessment.completed",
        "occurred_at": (now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "learner": {"email": f"learner{i}@example.org", "name": f"Learner {i}"},
        "framework": {"id": "29-2052.00", "version": "v.26.05"},
        "assessment": {"id": f"exam-{i % 50}", "name": "Level exam"},
        "level": LEVELS[i % 4], "score": 0.9,
    }


class Poster:
    """One keep-alive HTTP connection per client thread."""

    def __init__(self, base: str, key: str) -> None:
        self.parts = urlsplit(base)
        self.key = key
        self.local = threading.local()

    def post(self, event: dict) -> int:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection(self.parts.hostname, self.parts.port, timeout=60)
        conn.request("POST", "/api/v1/events", body=json.dumps(event), headers={
            "Authorization": f"Bearer {self.key}", "Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        return response.status


def post_all(base: str, key: str, n: int, clients: int) -> tuple[float, dict[int, int]]:
    poster, now, done, statuses = Poster(base, key), datetime.now(timezone.utc), [0], {}
    lock = threading.Lock()

    def one(i: int) -> None:
        status = poster.post(make_event(i, now))
        with lock:
            statuses[status] = statuses.get(status, 0) + 1
            done[0] += 1
            progress("posting", done[0], n)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, range(n)))
    return time.perf_counter() - started, statuses


def wait_processed(settings: Settings, n: int, timeout_s: float) -> None:
    services = build_services(settings)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            with services.sessions() as session:
                final = session.scalar(select(func.count()).select_from(Event)
                                       .where(Event.state.in_(("processed", "rejected"))))
            progress("processing", final, n)
            if final >= n:
                return
            time.sleep(0.5)
        raise SystemExit(f"only {final}/{n} events processed after {timeout_s:.0f} s")
    finally:
        services.close()


def store_figures(settings: Settings) -> dict:
    services = build_services(settings)
    try:
        with services.sessions() as session:
            rows = session.execute(select(Event.received_at, Event.finished_at, Event.state)).all()
            credentials = session.scalar(select(func.count()).select_from(Credential))
    finally:
        services.close()
    latencies = sorted((f - r).total_seconds() * 1000 for r, f, _ in rows if f)
    span = (max(f for _, f, _ in rows if f) - min(r for r, _, _ in rows)).total_seconds()
    return {
        "credentials": credentials,
        "rejected": sum(1 for *_, s in rows if s == "rejected"),
        "credentials_per_s": credentials / span if span else float("nan"),
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }


@contextmanager
def fresh_schema(url: str | None) -> Iterator[str | None]:
    """A new, empty PostgreSQL schema in `url`'s database for one run (dropped afterwards)."""
    if url is None:
        yield None
        return
    engine = create_engine(normalize_url(url))
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with engine.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield normalize_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        engine.dispose()


def bench_settings(tmp: str, database_url: str | None, redis_url: str | None) -> tuple[Settings, int]:
    """Settings of a bench stack in `tmp` on a free port (SQLite there unless `database_url`)."""
    port = free_port()
    values: dict = {"data_dir": Path(tmp), "public_url": f"http://127.0.0.1:{port}"}
    if database_url:
        values["database_url"] = database_url
    if redis_url:
        values["redis_url"] = redis_url
    return Settings.explicit(**values), port


def run_once(n: int, workers: int, clients: int, postgres_url: str | None, redis_url: str | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="badgeline-bench-") as tmp, fresh_schema(postgres_url) as database_url:
        settings, port = bench_settings(tmp, database_url, redis_url)
        with running_stack(settings, port=port, workers=workers) as stack:
            key = accredit(settings)["north"]
            seconds, statuses = post_all(stack.web_url, key, n, clients)
            wait_processed(settings, n, timeout_s=max(120.0, n * 0.5))
            figures = store_figures(settings)
    return {"workers": workers, "accepted_per_s": statuses.get(202, 0) / seconds, "statuses": statuses, **figures}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=2000, help="events to post (default 2000)")
    parser.add_argument("-k", type=int, nargs="+", default=[1, 2], help="worker process counts (default 1 2)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients (default 8)")
    parser.add_argument("--postgres", metavar="URL",
                        help="use PostgreSQL (a fresh schema in this database per run) instead of SQLite")
    parser.add_argument("--redis", metavar="URL", help="use this Redis instead of an embedded one")
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args(argv)

    results = []
    for k in args.k:
        print(f"K={k}: {args.n} events, {args.clients} clients", file=sys.stderr)
        results.append(run_once(args.n, k, args.clients, args.postgres, args.redis))
    store = "PostgreSQL" if args.postgres else "SQLite"
    print(f"\nstore: {store}; {args.n} events, each issuing one credential")
    print(f"{'workers':>8}{'accepted/s':>12}{'creds/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'creds':>8}  statuses")
    for r in results:
        print(f"{r['workers']:>8}{r['accepted_per_s']:>12.1f}{r['credentials_per_s']:>10.1f}"
              f"{r['p50_ms']:>10.0f}{r['p99_ms']:>10.0f}{r['credentials']:>8}  {r['statuses']}")
    if not args.no_reference:
        key = Ed25519Key.from_seed(bytes(range(32)))
        ref = time_reference(realistic_credential(key), 100)
        if ref:
            # What our worker does per credential in crypto alone: sign it, then verify it.
            ref_rate = 1 / (1 / ref["sign_per_s"] + 1 / ref["verify_per_s"])
            best = max(r["credentials_per_s"] for r in results)
            print(f"reference sign + verify of one credential, one core: {ref_rate:.1f}/s (crypto only, no store, "
                  f"no HTTP); our whole pipeline: {best:.1f}/s = {best / ref_rate:.2f}x")


if __name__ == "__main__":
    main()
