"""Load: many learners' statement-level events from several providers, posted by concurrent
clients to a real stack (`badgeline up` machinery: web process, Celery workers, Redis, store),
then checked against what the level policy predicts (issue 10, "Load").

    python -m bench.load [--events 20000] [--learners 2000] [--providers 4] [--clients 8]
                         [--workers 2] [--database-url URL] [--seed 7]

Steps: (1) generate the events: each learner gets `events/learners` events from random
providers, each with 1-5 statement results of the learner's level (random statements and
scores, about a third failing);
(2) predict, with the framework's own policy (`issuer.frameworks.levels_reached`), the levels
each learner reaches from the statements they pass; (3) post every event with `--clients`
threads (keep-alive connections) and record each latency; (4) wait until every event is
final; (5) compare: events lost (not stored or not processed), rejected, duplicated (more
than one row per provider event id), and credentials per learner against the prediction.
Prints one JSON object (rates, latencies, the comparison); never asserts. The test suite runs
a few hundred events through the same function (tests/worker/test_load.py).
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from issuer.frameworks import FrameworkRegistry, levels_reached
from pipeline.providers import add_provider, parse_scope
from pipeline.runner import running_stack
from pipeline.services import build_services
from pipeline.settings import Settings
from pipeline.store.models import Award, Credential, Event, Learner

FRAMEWORK, VERSION = "29-2052.00", "v.26.05"
OCCURRED = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Planned:
    provider: int
    document: dict[str, Any]


def plan(events: int, learners: int, providers: int, seed: int) -> tuple[list[Planned], dict[str, set[str]]]:
    """Steps 1-2: the events, and the levels each learner's email should end with."""
    rng = random.Random(seed)
    framework = FrameworkRegistry.bundled().get(FRAMEWORK, VERSION)
    by_level = [[s.code for s in level.statements] for level in framework.levels]
    passed: dict[str, set[str]] = defaultdict(set)
    planned = []
    for n in range(events):
        email = f"learner-{n % learners}@load.example.org"
        codes = by_level[(n % learners) % len(by_level)]  # each learner works on one level
        results = []
        for code in rng.sample(codes, rng.randint(1, 5)):
            score = round(rng.uniform(0.65, 1.0), 2)
            results.append({"statement": code, "score": score})
            if score >= framework.policy.pass_mark:
                passed[email].add(code)
        planned.append(Planned(rng.randrange(providers), {
            "event_id": f"load-{n}", "type": "assessment.completed",
            "occurred_at": (OCCURRED + timedelta(seconds=n)).isoformat().replace("+00:00", "Z"),
            "learner": {"email": email, "name": f"Learner {n % learners}"},
            "framework": {"id": FRAMEWORK, "version": VERSION},
            "assessment": {"id": f"quiz-{n % 50}", "name": f"Quiz {n % 50}"}, "results": results}))
    expected = {email: set(levels_reached(framework, framework.policy, codes_passed))
                for email, codes_passed in passed.items()}
    return planned, expected


def post_all(port: int, keys: list[str], planned: list[Planned], clients: int) -> tuple[list[float], Counter]:
    """Step 3: post with `clients` threads; latencies (s) and response statuses."""
    latencies: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    cursor = iter(range(len(planned)))

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                break
            item = planned[index]
            body = json.dumps(item.document).encode()
            headers = {"Authorization": f"Bearer {keys[item.provider]}", "Content-Type": "application/json"}
            for attempt in range(5):  # a refused connection or a 503 is retried; the post is idempotent
                started = time.perf_counter()
                try:
                    conn.request("POST", "/api/v1/events", body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    status = 0
                if status not in (0, 503):
                    break
                time.sleep(0.2 * (attempt + 1))
            with lock:
                latencies.append(time.perf_counter() - started)
                statuses[status] += 1
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses


def wait_final(settings: Settings, total: int, timeout_s: float) -> float:
    """Step 4: seconds until every stored event is processed or rejected (or the timeout)."""
    services = build_services(settings)
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < timeout_s:
            with services.read_sessions() as session:
                open_events = session.scalar(select(func.count()).select_from(Event).where(
                    Event.state.in_(("received", "processing"))))
                stored = session.scalar(select(func.count()).select_from(Event))
            if open_events == 0 and stored >= total:
                break
            time.sleep(0.5)
    finally:
        services.close()
    return time.perf_counter() - started


def compare(settings: Settings, planned: list[Planned], expected: dict[str, set[str]]) -> dict[str, Any]:
    """Step 5."""
    services = build_services(settings)
    try:
        with services.read_sessions() as session:
            rows = Counter(session.scalars(select(Event.provider_event_id)))
            states = Counter(session.scalars(select(Event.state)))
            awarded: dict[str, set[str]] = defaultdict(set)
            credentials = 0
            query = (select(Learner.email, Award.level).join(Award, Award.learner_id == Learner.id)
                     .join(Credential, Credential.award_id == Award.id))
            for email, level in session.execute(query):
                awarded[email].add(level)
                credentials += 1
    finally:
        services.close()
    ids = [p.document["event_id"] for p in planned]
    learners = set(expected) | set(awarded)
    mismatched = sorted(e for e in learners if expected.get(e, set()) != awarded.get(e, set()))
    return {
        "events_lost": sum(1 for i in ids if rows[i] == 0) + states.get("received", 0) + states.get("processing", 0),
        "events_duplicated": sum(count - 1 for count in rows.values() if count > 1),
        "events_rejected": states.get("rejected", 0),
        "credentials_expected": sum(len(levels) for levels in expected.values()),
        "credentials_issued": credentials, "learners_mismatched": len(mismatched), "mismatched_sample": mismatched[:5],
    }


def run_load(*, events: int, learners: int, providers: int = 4, clients: int = 8, workers: int = 2,
             database_url: str | None = None, data_dir: Path | None = None, redis_url: str | None = None,
             seed: int = 7, timeout_s: float = 3600.0) -> dict[str, Any]:
    """Steps 1-5 against a fresh stack; returns the figures."""
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="badgeline-load-"))
    from pipeline.embedded_redis import free_port

    port = free_port()
    values: dict[str, Any] = {"data_dir": data_dir, "public_url": f"http://127.0.0.1:{port}"}
    if database_url:
        values["database_url"] = database_url
    if redis_url:
        values["redis_url"] = redis_url
    settings = Settings.explicit(**values)
    planned, expected = plan(events, learners, providers, seed)
    with running_stack(settings, port=port, workers=workers):
        services = build_services(settings)
        try:
            with services.sessions.begin() as session:
                scope = parse_scope(FRAMEWORK, services.registry)
                keys = [add_provider(session, name=f"Load provider {n}", scopes=[scope], now=OCCURRED).key
                        for n in range(providers)]
        finally:
            services.close()
        started = time.perf_counter()
        latencies, statuses = post_all(port, keys, planned, clients)
        posting_s = time.perf_counter() - started
        drained_s = wait_final(settings, events, timeout_s)
        total_s = time.perf_counter() - started
    result = compare(settings, planned, expected)
    ordered = sorted(latencies)
    return {
        "events": events, "learners": learners, "providers": providers, "clients": clients, "workers": workers,
        "database": settings.database_url.split(":", 1)[0], "statuses": dict(statuses),
        "post_rate_per_s": round(events / posting_s, 1), "end_to_end_rate_per_s": round(events / total_s, 1),
        "post_latency_ms": {"p50": round(statistics.median(ordered) * 1000, 1),
                            "p95": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 1),
                            "max": round(ordered[-1] * 1000, 1)},
        "drain_after_posting_s": round(drained_s, 1), **result,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--learners", type=int, default=2_000)
    parser.add_argument("--providers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(json.dumps(run_load(events=args.events, learners=args.learners, providers=args.providers,
                              clients=args.clients, workers=args.workers, database_url=args.database_url,
                              redis_url=args.redis_url, seed=args.seed), indent=2))


if __name__ == "__main__":
    main()
