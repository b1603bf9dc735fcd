"""What the throughput benchmarks post, and how: event generators, HTTP posting, the crypto floor.

- `whole_level(i)`: a whole-level exam for a distinct learner: every event issues one credential.
- `realistic_mix(n)`: statement-level results, two statements per event, split across two
  providers and many assessments, ten events per learner (emerging then developing): four
  events in five issue nothing, one in five completes a level.
- `post_single` / `post_batches` / `post_csv`: concurrent keep-alive HTTP clients.
- `crypto_floor(n)`: sign + verify of the realistic credential per second on ONE core,
  measured in this process: the run's reference (issue 12's floor: one signature and one
  full verification, two canonicalizations; the pipeline's self-check now reuses the first).
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from bench.credentials_bench import SEED, progress, realistic_credential

FRAMEWORK = {"id": "29-2052.00", "version": "v.26.05"}
LEVELS = ("emerging", "developing", "proficient", "advanced")


def _when(now: datetime) -> str:
    return (now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def whole_level(i: int, now: datetime, run: str = "w") -> dict:
    return {
        "event_id": f"{run}-{i}", "type": "assessment.completed", "occurred_at": _when(now),
        "learner": {"email": f"{run}{i}@example.org", "name": f"Learner {i}"},
        "framework": dict(FRAMEWORK), "assessment": {"id": f"exam-{i % 50}", "name": "Level exam"},
        "level": LEVELS[i % 4], "score": 0.9,
    }


def realistic_mix(n: int, now: datetime, run: str = "m", seed: int = 7) -> list[tuple[str, dict]]:
    """(provider short name, event) pairs; see the module docstring. Learners interleave."""
    rng = random.Random(seed)
    per_learner = []
    for learner in range(max(1, n // 10)):
        codes = [f"E{k:02d}" for k in range(1, 11)] + [f"D{k:02d}" for k in range(1, 11)]
        events = []
        for part in range(10):
            provider = rng.choice(("north", "river"))
            assessment = f"{provider}-quiz-{rng.randrange(40)}"
            events.append((provider, {
                "event_id": f"{run}-{learner}-{part}", "type": "assessment.completed", "occurred_at": _when(now),
                "learner": {"email": f"{run}{learner}@example.org", "name": f"Learner {learner}"},
                "framework": dict(FRAMEWORK),
                "assessment": {"id": assessment, "name": f"Quiz {assessment}"},
                "results": [{"statement": c, "score": 0.9} for c in codes[2 * part:2 * part + 2]],
            }))
        per_learner.append(events)
    mixed = [e for round_ in zip(*per_learner) for e in round_]
    return mixed[:n]


def csv_body(events: Sequence[dict]) -> bytes:
    """The `events:csv` upload of native statement-level or whole-level-free events."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["event_id", "occurred_at", "learner_email", "learner_name", "learner_did", "framework_id",
                     "framework_version", "assessment_id", "assessment_name", "statement", "score", "passed"])
    for e in events:
        for r in e["results"]:
            writer.writerow([e["event_id"], e["occurred_at"], e["learner"]["email"], e["learner"]["name"], "",
                             e["framework"]["id"], e["framework"]["version"], e["assessment"]["id"],
                             e["assessment"]["name"], r["statement"], r["score"], ""])
    return out.getvalue().encode()


class Client:
    """One keep-alive HTTP connection per thread."""

    def __init__(self, base: str) -> None:
        self.parts, self.local = urlsplit(base), threading.local()

    def post(self, path: str, body: bytes, key: str, content_type: str = "application/json") -> tuple[int, bytes]:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection(self.parts.hostname, self.parts.port, timeout=120)
        conn.request("POST", path, body=body, headers={"Authorization": f"Bearer {key}",
                                                       "Content-Type": content_type})
        response = conn.getresponse()
        return response.status, response.read()


def run_parallel(items: Sequence, clients: int, one: Callable[[object], int], label: str) -> tuple[float, int]:
    """Call `one(item)` from `clients` threads; (seconds, units done) where `one` returns its units."""
    done, lock = [0], threading.Lock()

    def wrapped(item) -> None:
        units = one(item)
        with lock:
            done[0] += units
            progress(label, done[0], total)

    total = sum(_units(i) for i in items)
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(wrapped, items))
    return time.perf_counter() - started, done[0]


def _units(item) -> int:
    return len(item[1]) if isinstance(item, tuple) and isinstance(item[1], list) else 1


def post_single(base: str, keys: dict[str, str], events: Sequence[tuple[str, dict]], clients: int) -> float:
    """POST /api/v1/events per event; events accepted per second."""
    client = Client(base)

    def one(item) -> int:
        provider, event = item
        status, body = client.post("/api/v1/events", json.dumps(event).encode(), keys[provider])
        if status != 202:
            raise SystemExit(f"POST /events answered {status}: {body[:200]!r}")
        return 1

    seconds, done = run_parallel(list(events), clients, one, "single POSTs")
    return done / seconds


def chunks(events: Sequence[tuple[str, dict]], size: int) -> list[tuple[str, list[dict]]]:
    """Per provider, batches of `size` events (order kept within a provider)."""
    out = []
    for provider in dict.fromkeys(p for p, _ in events):
        mine = [e for p, e in events if p == provider]
        out += [(provider, mine[i:i + size]) for i in range(0, len(mine), size)]
    return out


def post_batches(base: str, keys: dict[str, str], events: Sequence[tuple[str, dict]], clients: int,
                 size: int = 500) -> float:
    """POST /api/v1/events:batch; events accepted per second."""
    client = Client(base)

    def one(item) -> int:
        provider, batch = item
        status, body = client.post("/api/v1/events:batch", json.dumps({"events": batch}).encode(), keys[provider])
        accepted = sum(1 for r in json.loads(body)["results"] if r["status"] == 202) if status == 200 else 0
        if accepted != len(batch):
            raise SystemExit(f"events:batch answered {status}, {accepted}/{len(batch)} accepted: {body[:300]!r}")
        return accepted

    seconds, done = run_parallel(chunks(events, size), clients, one, "batch POSTs")
    return done / seconds


def post_csv(base: str, keys: dict[str, str], events: Sequence[tuple[str, dict]], clients: int,
             size: int = 500) -> float:
    """POST /api/v1/events:csv of statement-level events; events accepted per second."""
    client = Client(base)

    def one(item) -> int:
        provider, batch = item
        status, body = client.post("/api/v1/events:csv", csv_body(batch), keys[provider], "text/csv")
        if status != 200:
            raise SystemExit(f"events:csv answered {status}: {body[:300]!r}")
        return len(batch)

    seconds, done = run_parallel(chunks(events, size), clients, one, "CSV uploads")
    return done / seconds


def crypto_floor(n: int = 100) -> float:
    """Sign + verify (each canonicalizing on its own, as issue 12 defined the floor) of the
    realistic credential per second, one core, this process."""
    from issuer.cryptosuites import add_proof
    from issuer.dids import resolve_did_key
    from issuer.keys import Ed25519Key, did_key_signer
    from issuer.verify import verify_credential

    key = Ed25519Key.from_seed(SEED)
    unsigned = realistic_credential(key)
    signer, now = did_key_signer(key), datetime.now(timezone.utc)

    def once() -> None:
        signed = add_proof(unsigned, signer=signer, created="2026-01-01T00:00:00Z", as_set=True)
        if not verify_credential(signed, resolve_key=resolve_did_key, now=now).verified:
            raise SystemExit("crypto floor: the credential did not verify")

    once()  # warm the caches
    started = time.perf_counter()
    for i in range(n):
        once()
        progress("crypto floor", i + 1, n)
    return n / (time.perf_counter() - started)
