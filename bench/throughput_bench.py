"""Issue 12's targets, one workload per subcommand; figures printed beside their reference, never asserted.

    python -m bench.throughput_bench whole   [-n 2000] [-k 1 2 4] [--postgres URL]
    python -m bench.throughput_bench mix     [-n 10000] [-k 2] [--postgres URL]
    python -m bench.throughput_bench intake  [-n 2000] [--clients 8] [--postgres URL] [--servers S:P ...]
    python -m bench.throughput_bench latency [--rate R] [--seconds 60] [-k 2] [--postgres URL]
    python -m bench.throughput_bench rss     [-n 20000] [--every 2000] [-k 2] [--postgres URL]

Each run starts a fresh stack (`pipeline.runner`: store, embedded Redis, K worker processes,
waitress) in a temporary folder, with SQLite or a fresh PostgreSQL schema.

- `whole`: whole-level events (each issues one credential), posted with `events:batch`, so
  intake is not what limits; credentials/s from the first event received to the last one
  finished; the crypto floor (sign + self-verify, `workloads.crypto_floor`) measured in the
  same run, times the cores, and the ratio.
- `mix`: `workloads.realistic_mix` (four events in five issue nothing): events/s processed.
- `intake`: the web process alone (no worker consumes the queue): single POSTs from
  `--clients` clients, `events:batch` and `events:csv` (500 events per request, 2 clients);
  `--server gunicorn|granian [--processes N]` runs it under another server, for comparison;
  `--servers waitress:1 waitress:2 granian:2 [before:waitress:1 --code DIR]` compares several in
  alternating rounds (`before:` serves the checkout DIR: the code before a change, same run).
- `latency`: single POSTs at `--rate` events/s (default: half of the `whole` rate measured
  first in the same run) for `--seconds`; p50/p99 post -> final state from the store.
- `rss`: the worker processes' resident memory every `--every` events.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import func, select

from bench import workloads
from bench.pipeline_bench import fresh_schema, wait_processed
from bench.verify_bench import group_cpu_s
from pipeline.demo import accredit
from pipeline.embedded_redis import EmbeddedRedis, free_port
from pipeline.processes import ProcessGroup, child_env
from pipeline.runner import prepare, running_stack, settings_env, web_argv
from pipeline.services import build_services
from pipeline.settings import Settings
from pipeline.store.models import Credential, Event


@contextmanager
def stack_settings(postgres: str | None) -> Iterator[Settings]:
    with tempfile.TemporaryDirectory(prefix="badgeline-bench-") as tmp, fresh_schema(postgres) as url:
        values: dict = {"data_dir": Path(tmp), "public_url": f"http://127.0.0.1:{free_port()}"}
        if url:
            values["database_url"] = url
        yield Settings.explicit(**values)


def server_argv(server: str, settings: Settings, port: int, processes: int | None = None,
                threads: int = 8) -> list[str]:
    """waitress as `badgeline web` runs it (`verifier.waitress_guard`, `processes` processes of 8
    threads; default: `web_argv`'s), or gunicorn (gthread) or granian (WSGI) with the same processes
    and threads, for comparison (`bench.verify_bench.other_server_argv`)."""
    if server == "waitress":
        return web_argv(settings, "127.0.0.1", port, threads, **({"processes": processes} if processes else {}))
    from bench.verify_bench import other_server_argv

    return other_server_argv(server, processes or 2, port, "pipeline.web:app_from_env", threads)


@contextmanager
def web_only(settings: Settings, server: str = "waitress", processes: int | None = None,
             code: str | None = None, threads: int = 8) -> Iterator[tuple[str, int]]:
    """The web server and Redis, no worker: the queue only fills. Yields its URL and process group."""
    prepare(settings)
    redis = EmbeddedRedis(settings.redis_dir)
    group = ProcessGroup()
    port = int(settings.public_url.rsplit(":", 1)[1])
    try:
        env = child_env(os.environ, settings_env(settings, redis.start()))
        argv = server_argv(server, settings, port, processes, threads)
        if code:  # serve another checkout's code (before/after in one run); its launcher may not know --processes
            env["PYTHONPATH"] = code
            argv = [a for a in argv if a != "--processes=1"]
        group.spawn("web", argv, env, settings.data_dir / "web.log")
        url = f"http://127.0.0.1:{port}"
        wait_serving(url, group)
        yield url, group.children[0].process.pid
    finally:
        group.stop()
        redis.stop()


def wait_serving(url: str, group: ProcessGroup, timeout_s: float = 60.0) -> None:
    """Until `/healthz` answers 200 (the database is up). No worker runs here, so its status is
    `degraded` (`workers` down) and `runner.wait_healthy`, which waits for `ok`, would never return."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if group.exited():
            raise SystemExit(f"the web server exited during start-up (log: {url})")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url}/healthz did not answer within {timeout_s:.0f} s")


def store_figures(settings: Settings) -> dict:
    services = build_services(settings)
    try:
        with services.sessions() as session:
            rows = session.execute(select(Event.received_at, Event.finished_at)).all()
            credentials = session.scalar(select(func.count()).select_from(Credential))
    finally:
        services.close()
    latencies = sorted((f - r).total_seconds() for r, f in rows if f)
    span = (max(f for _, f in rows if f) - min(r for r, _ in rows)).total_seconds()
    return {"events": len(rows), "credentials": credentials, "events_per_s": len(rows) / span,
            "credentials_per_s": credentials / span, "p50_s": statistics.median(latencies),
            "p99_s": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]}


def run_processing(args, workers: int, events: list[tuple[str, dict]]) -> dict:
    with stack_settings(args.postgres) as settings, running_stack(
            settings, port=int(settings.public_url.rsplit(":", 1)[1]), workers=workers) as stack:
        keys = accredit(settings)
        accepted = workloads.post_batches(stack.web_url, keys, events, clients=2, size=200)
        wait_processed(settings, len(events), timeout_s=max(300.0, len(events) * 0.2))
        return {"workers": workers, "accepted_per_s": accepted, **store_figures(settings)}


def cmd_whole(args) -> None:
    now = datetime.now(timezone.utc)
    events = [("north", workloads.whole_level(i, now)) for i in range(args.n)]
    floor = workloads.crypto_floor()
    cores = os.cpu_count() or 1
    rows = [run_processing(args, k, events) for k in args.k]
    floor_after = workloads.crypto_floor()
    per_core = (floor + floor_after) / 2
    print(f"\nwhole-level events, {store_name(args)}, {args.n} events (posted with events:batch)")
    print(f"crypto floor (sign + self-verify, this run): {per_core:.0f}/s per core "
          f"(before {floor:.0f}, after {floor_after:.0f}); x {cores} cores = {per_core * cores:.0f}/s")
    print(f"{'workers':>8}{'accepted/s':>12}{'creds/s':>10}{'floor ratio':>12}{'p50 s':>8}{'p99 s':>8}")
    for r in rows:
        print(f"{r['workers']:>8}{r['accepted_per_s']:>12.0f}{r['credentials_per_s']:>10.1f}"
              f"{r['credentials_per_s'] / (per_core * cores):>12.2f}{r['p50_s']:>8.2f}{r['p99_s']:>8.2f}")


def cmd_mix(args) -> None:
    events = workloads.realistic_mix(args.n, datetime.now(timezone.utc))
    for k in args.k:
        r = run_processing(args, k, events)
        print(f"\nrealistic mix, {store_name(args)}, {r['events']} events, {k} workers: "
              f"{r['events_per_s']:.0f} events/s processed end to end, {r['credentials']} credentials "
              f"(expected {2 * (args.n // 10)}), accepted {r['accepted_per_s']:.0f}/s, "
              f"p50 {r['p50_s']:.2f} s, p99 {r['p99_s']:.2f} s")


def intake_rates(args, server: str, processes: int | None, code: str | None = None,
                 threads: int = 8) -> dict[str, float]:
    now = datetime.now(timezone.utc)
    results = {}
    with stack_settings(args.postgres) as settings, web_only(settings, server, processes, code, threads) as (url, pgid):
        keys = accredit(settings)
        single = [("north", workloads.whole_level(i, now, "s")) for i in range(args.n)]
        cpu, client_cpu = group_cpu_s(pgid), time.process_time()
        results["single POST /events"] = workloads.post_single(url, keys, single, args.clients)
        results["single: server CPU ms/event"] = (group_cpu_s(pgid) - cpu) / args.n * 1000
        results["single: client CPU ms/event"] = (time.process_time() - client_cpu) / args.n * 1000
        mix = workloads.realistic_mix(5000, now, "b")
        cpu = group_cpu_s(pgid)
        results["events:batch (500/request)"] = workloads.post_batches(url, keys, mix, 2)
        results["batch: server CPU ms/event"] = (group_cpu_s(pgid) - cpu) / len(mix) * 1000
        mix = workloads.realistic_mix(5000, now, "c")
        results["events:csv (500/request)"] = workloads.post_csv(url, keys, mix, 2)
    return results


def cmd_intake(args) -> None:
    """`--server` / `--processes` once; or `--servers name:processes ...` (and `--code DIR` for the
    code before a change, run as `before:name:processes`) in alternating rounds, one table."""
    if not args.servers:
        results = intake_rates(args, args.server, args.processes)
        print(f"\nintake, {store_name(args)}, web process only ({args.server}, "
              f"{args.processes or 'default'} processes), no worker running")
        for name, rate in results.items():
            print(f"  {name:<30}{rate:8.2f}")
        return
    rows: dict[str, list[dict[str, float]]] = {spec: [] for spec in args.servers}
    for round_ in range(args.rounds):
        for spec in args.servers:
            name, processes, threads = (spec.removeprefix("before:").split(":") + ["1", "8"])[:3]
            code = args.code if spec.startswith("before:") else None
            rows[spec].append(intake_rates(args, name, int(processes), code, int(threads)))
            print(f"round {round_ + 1}: {spec} {rows[spec][-1]}", file=sys.stderr, flush=True)
    print(f"\nintake, {store_name(args)}, web server alone (no worker), {args.rounds} alternating rounds; "
          f"events/s and the server's CPU ms per event (all its processes), mean (min-max)")
    names = list(rows[args.servers[0]][0])
    print(f"  {'server:processes':<24}" + "".join(f"{n[:26]:>30}" for n in names))
    for spec, runs in rows.items():
        digits = [2 if "CPU" in n else 0 for n in names]
        cells = [f"{statistics.fmean(r[n] for r in runs):.{d}f} ({min(r[n] for r in runs):.{d}f}-"
                 f"{max(r[n] for r in runs):.{d}f})" for n, d in zip(names, digits)]
        print(f"  {spec:<24}" + "".join(f"{c:>30}" for c in cells))


def cmd_latency(args) -> None:
    now = datetime.now(timezone.utc)
    with ExitStack() as stack_:
        settings = stack_.enter_context(stack_settings(args.postgres))
        stack = stack_.enter_context(running_stack(settings, port=int(settings.public_url.rsplit(":", 1)[1]),
                                                   workers=args.k[0]))
        keys = accredit(settings)
        rate = args.rate or half_sustained_rate(stack.web_url, keys, settings, now)
        events = [("north", workloads.whole_level(i, now, "lat")) for i in range(int(rate * args.seconds))]
        client = workloads.Client(stack.web_url)
        started = time.perf_counter()
        for i, (provider, event) in enumerate(events):
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            client.post("/api/v1/events", json.dumps(event).encode(), keys[provider])
            workloads.progress("paced POSTs", i + 1, len(events))
        behind = time.perf_counter() - started - args.seconds
        baseline = count_events(settings)
        wait_processed(settings, baseline, timeout_s=300)
        r = store_figures_since(settings, "lat-")
    print(f"\nlatency, {store_name(args)}, {args.k[0]} workers: {rate:.0f} events/s for {args.seconds} s "
          f"(poster {behind:+.1f} s behind schedule): post -> credential p50 {r[0]:.3f} s, p99 {r[1]:.3f} s")


def half_sustained_rate(url: str, keys: dict, settings: Settings, now: datetime) -> float:
    warm = [("north", workloads.whole_level(i, now, "warm")) for i in range(2000)]
    workloads.post_batches(url, keys, warm, 2, 200)
    wait_processed(settings, len(warm), 300)
    return store_figures(settings)["credentials_per_s"] / 2


def count_events(settings: Settings) -> int:
    services = build_services(settings)
    try:
        with services.sessions() as session:
            return session.scalar(select(func.count()).select_from(Event))
    finally:
        services.close()


def store_figures_since(settings: Settings, prefix: str) -> tuple[float, float]:
    services = build_services(settings)
    try:
        with services.sessions() as session:
            rows = session.execute(select(Event.received_at, Event.finished_at)
                                   .where(Event.provider_event_id.startswith(prefix))).all()
    finally:
        services.close()
    latencies = sorted((f - r).total_seconds() for r, f in rows if f)
    return statistics.median(latencies), latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]


def worker_rss_kib(group: ProcessGroup) -> int:
    """Resident memory of every process in the worker's process group (main, pool, beat)."""
    leader = next(c.process.pid for c in group.children if c.name == "worker")
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[2]) == leader:  # field 5: process group id
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, IndexError, ValueError):
            continue
    return total


def cmd_rss(args) -> None:
    now = datetime.now(timezone.utc)
    with stack_settings(args.postgres) as settings, running_stack(
            settings, port=int(settings.public_url.rsplit(":", 1)[1]), workers=args.k[0]) as stack:
        keys = accredit(settings)
        samples = []
        for start in range(0, args.n, args.every):
            events = [("north", workloads.whole_level(i, now, "rss")) for i in range(start, start + args.every)]
            workloads.post_batches(stack.web_url, keys, events, 2, 200)
            wait_processed(settings, start + args.every, 600)
            samples.append((start + args.every, worker_rss_kib(stack.group)))
            print(f"  after {samples[-1][0]:>7} events: worker RSS {samples[-1][1] / 1024:.1f} MiB", file=sys.stderr)
    first, last = samples[0][1], samples[-1][1]
    print(f"\nworker RSS, {store_name(args)}, {args.k[0]} workers: {first / 1024:.1f} MiB after {samples[0][0]} "
          f"events -> {last / 1024:.1f} MiB after {samples[-1][0]} ({100 * (last - first) / first:+.1f}%)")
    print("  " + ", ".join(f"{n}: {kib / 1024:.1f}" for n, kib in samples))


def store_name(args) -> str:
    return "PostgreSQL" if args.postgres else "SQLite"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workload", choices=["whole", "mix", "intake", "latency", "rss"])
    parser.add_argument("-n", type=int)
    parser.add_argument("-k", type=int, nargs="+", default=[2])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--postgres", metavar="URL")
    parser.add_argument("--rate", type=float)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--every", type=int, default=2000)
    parser.add_argument("--server", choices=["waitress", "gunicorn", "granian"], default="waitress",
                        help="intake: the web server (gunicorn, granian must be installed)")
    parser.add_argument("--processes", type=int, help="intake: web server processes")
    parser.add_argument("--servers", nargs="+", metavar="[before:]SERVER[:PROCESSES[:THREADS]]",
                        help="intake: compare servers in alternating rounds, e.g. waitress:1 waitress:2 "
                             "granian:2; `before:` serves the code of --code")
    parser.add_argument("--code", metavar="DIR", help="intake: a checkout of the code before a change")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    args.n = args.n or {"whole": 2000, "mix": 10000, "intake": 2000, "rss": 20000}.get(args.workload, 0)
    {"whole": cmd_whole, "mix": cmd_mix, "intake": cmd_intake, "latency": cmd_latency, "rss": cmd_rss}[
        args.workload](args)


if __name__ == "__main__":
    main()
