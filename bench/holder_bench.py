"""Time the holder's pages and downloads; print milliseconds per request and ratios to the
plain JSON download (the cheapest answer: a stored document read back).

    python -m bench.holder_bench [-n 30]

A temporary SQLite store, one learner with a Proficient credential issued by the real
processing use case, the real web app through Flask's test client (no network). The badge
PNG is drawn once per level and cached, so `.png` after the first request measures baking;
the first (cold) request is reported apart. Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from issuer.frameworks import FrameworkRegistry
from pipeline.events import EventContext, parse_event
from pipeline.identity import load_issuing_identity
from pipeline.processing import Processor, process_event
from pipeline.services import build_services
from pipeline.settings import Settings
from pipeline.store import migrate
from pipeline.store.event_log import record_event
from pipeline.store.models import Provider
from pipeline.web import create_app

NOW = datetime(2026, 11, 20, 16, 0, tzinfo=timezone.utc)
EVENT = {"event_id": "bench-1", "type": "assessment.completed", "occurred_at": "2026-11-20T09:00:00Z",
         "learner": {"email": "ana@example.org", "name": "Ana Díaz"},
         "framework": {"id": "29-2052.00", "version": "v.26.05"}, "level": "proficient", "score": 0.9,
         "assessment": {"id": "practical", "name": "Dispensing practical", "url": "https://lms.example.org/a/1"}}


def issue(data: Path) -> tuple[object, str]:
    settings = Settings.explicit(data_dir=data, public_url="https://badges.example.org")
    services = build_services(settings, clock=lambda: NOW)
    migrate(services.engine)
    registry = FrameworkRegistry.bundled()
    with services.sessions.begin() as session:
        provider = Provider(name="Northside", url="https://northside.example.org", created_at=NOW)
        session.add(provider)
        session.flush()
        parsed = parse_event(EVENT, EventContext(frameworks=registry, public_url=settings.public_url, now=NOW))
        event_id = record_event(session, provider_id=provider.id, provider_event_id="bench-1", raw_payload=b"{}",
                                source_format="native", parsed=parsed.to_json(), now=NOW).event.id
    processor = Processor(sessions=services.sessions, registry=registry, urls=services.urls,
                          public_url=settings.public_url, clock=lambda: NOW,
                          identity=lambda s, now: load_issuing_identity(settings, s, now))
    credential_id = process_event(processor, event_id).credential_ids[0]
    return create_app(settings, services=services), credential_id.removeprefix("urn:uuid:")


def timed(client, path: str, n: int) -> tuple[float, float]:
    start = time.perf_counter()
    assert client.get(path).status_code == 200
    cold = (time.perf_counter() - start) * 1000
    runs = []
    for _ in range(n):
        start = time.perf_counter()
        client.get(path)
        runs.append((time.perf_counter() - start) * 1000)
    return cold, statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app, uuid = issue(Path(tmp))
        client = app.test_client()
        figures = {ext: timed(client, f"/c/{uuid}{ext}", args.n) for ext in (".json", "", ".png", ".svg", ".pdf")}
    base = figures[".json"][1]
    print(f"{'answer':<12}{'cold ms':>10}{'median ms':>12}{'x JSON':>9}")
    for ext, (cold, median) in figures.items():
        print(f"{('/c/<uuid>' + ext):<12}{cold:>10.1f}{median:>12.2f}{median / base:>9.1f}")


if __name__ == "__main__":
    main()
