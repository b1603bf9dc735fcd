"""Verification throughput and latency: the engine alone, the HTTP endpoint, and the W3C reference.

    python -m bench.verify_bench [-n 300] [--no-reference]

Workloads (one core, sequential; the reference runs in the same run on the same machine):
* `engine`: `VerifierEngine.verify_value` on the Proficient credential (did:key issuer, no
  status entry: the same work the reference's `bench.js` does). `cold_first_ms` is the first
  verification in this process (context and proof caches empty).
* `engine_status`: the same credential with a BitstringStatusListEntry whose list is served
  by a loopback HTTP server (allowlisted): `cold` with empty fetch caches, then warm.
* `http`: POST /credentials/verify to the app under waitress, run as `serve()` runs it
  (`verifier.serving.waitress_options`), in its OWN process, over one keep-alive loopback
  connection. `http_concurrent`: the same server kept busy by 4 keep-alive connections.
  `http_floor`: GET /healthz, the fixed cost of loopback + waitress + Flask.
  `http_2_processes`: four clients against `serve(processes=2)` (two processes sharing the port;
  its CPU is the whole process group's). On a 2-core machine the clients compete for the cores.
  For each, `server_cpu_ms` is the server process's CPU time per request (utime+stime from
  /proc, all its threads): the per-core cost of serving one verification. `engine` has the
  same figure (`cpu_ms`, process time per verification). Their ratio is the robust one on a
  shared VM: wall-clock figures of one sequential client also carry the idle core's wake-up
  latency on every request.
* `reference`: interop/bench.js (@digitalbazaar/vc verifyCredential, status not checked).
Prints one JSON object; read the ratios, the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.credentials_bench import CREATED, SEED, realistic_credential
from issuer.cryptosuites import add_proof
from issuer.frameworks import FrameworkRegistry
from issuer.keys import Ed25519Key, did_key_signer
from issuer.status import Bitstring, status_entry, status_list_credential
from verifier.app import VerifierSettings, create_app, make_engine
from verifier.resolvers import GuardedFetcher
from verifier.serving import listen, serve_on

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)


def stats(samples_s: list[float]) -> dict[str, float]:
    ordered = sorted(samples_s)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return {"n": len(ordered), "per_s": len(ordered) / sum(ordered),
            "p50_ms": statistics.median(ordered) * 1000, "p99_ms": p99 * 1000}


def timed(n: int, call: Callable[[], Any]) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def signed_credential(key: Ed25519Key, status_url: str | None = None) -> dict[str, Any]:
    credential = realistic_credential(key)
    del credential["credentialStatus"]
    if status_url:
        credential["credentialStatus"] = status_entry(status_url, 40213, "revocation")
    return add_proof(credential, signer=did_key_signer(key), created=CREATED)


class ListServer:
    """A loopback HTTP server serving one status list credential (`body`, set after start)."""

    def __init__(self) -> None:
        self.body = b""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                body = owner.body
                self.send_response(200)
                self.send_header("Content-Type", "application/vc+ld+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def engine_call(key: Ed25519Key, registry: FrameworkRegistry) -> Callable[[], Any]:
    """One engine verification of the credential's JSON text (parsed afresh, as a request would be)."""
    text = json.dumps(signed_credential(key))
    settings = VerifierSettings()
    engine = make_engine(settings, fetcher=bench_fetcher(settings), registry=registry, clock=lambda: NOW)

    def call() -> None:
        if not engine.verify_text(text).verified:
            raise SystemExit("the engine does not verify the benchmark credential")
    return call


def bench_engine_status(n: int, key: Ed25519Key, registry: FrameworkRegistry) -> dict[str, Any]:
    server = ListServer()
    url = f"http://127.0.0.1:{server.port}/status/1"
    status_list = add_proof(status_list_credential(list_url=url, issuer=key.did_key, purpose="revocation",
                                                   bitstring=Bitstring(), valid_from="2026-01-01T00:00:00Z"),
                            signer=did_key_signer(key), created=CREATED)
    server.body = json.dumps(status_list).encode()
    try:
        text = json.dumps(signed_credential(key, url))
        settings = VerifierSettings(allowed_hosts=[f"127.0.0.1:{server.port}"])
        cold_samples = []
        for _ in range(min(n, 20)):
            engine = make_engine(settings, registry=registry, clock=lambda: NOW)
            cold_samples += timed(1, lambda: engine.verify_text(text))
        result = engine.verify_text(text)
        if not result.verified or result.report.check("status").details["entries"][0].get("status") != 0:
            raise SystemExit(f"status benchmark credential did not verify: {result.body()}")
        return {"cold": stats(cold_samples), "warm": stats(timed(n, lambda: engine.verify_text(text)))}
    finally:
        server.close()


def group_cpu_s(pgid: int) -> float:
    """CPU time (user + system, all threads) the live processes of a process group have used, from /proc."""
    total = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:
                total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


class HttpEndpoint:
    """The verifier under waitress in its own process (`--serve`), and keep-alive clients to it."""

    def __init__(self, key: Ed25519Key, processes: int = 1, server: str = "waitress") -> None:
        if server == "waitress":  # as `serve()` runs it; prints its port
            argv = [sys.executable, "-m", "bench.verify_bench", "--serve", str(processes)]
        else:
            self.port = free_port()
            argv = other_server_argv(server, processes, self.port, "bench.verify_bench:bench_app")
        self.process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        start_new_session=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        if server == "waitress":
            self.port = int(self.process.stdout.readline())
        else:
            wait_answering(self.port, self.process)
        self.body = json.dumps({"verifiableCredential": signed_credential(key)}).encode()
        self.local = threading.local()
        self.connections: list[http.client.HTTPConnection] = []

    def request(self, method: str, path: str, body: bytes | None = None) -> None:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.connections.append(conn)
        try:
            conn.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
            response = conn.getresponse()
        except (ConnectionError, http.client.RemoteDisconnected):  # an idle keep-alive closed by the server
            conn.close()
            conn.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
            response = conn.getresponse()
        payload = response.read()
        if response.status != 200:
            raise SystemExit(f"HTTP {method} {path} returned {response.status}: {payload[:300]!r}")

    def post(self) -> None:
        self.request("POST", "/credentials/verify", self.body)

    def health(self) -> None:
        self.request("GET", "/healthz")

    def measure(self, call: Callable[[], None], n: int, clients: int = 1) -> dict[str, float]:
        """`n` calls over `clients` concurrent connections: wall-clock figures and server CPU per request."""
        from concurrent.futures import ThreadPoolExecutor

        cpu_before = group_cpu_s(self.process.pid)
        if clients == 1:
            samples = timed(n, call)
            out = stats(samples)
        else:
            with ThreadPoolExecutor(clients) as pool:
                started = time.perf_counter()
                list(pool.map(lambda _: call(), range(n)))
                out = {"n": n, "clients": clients, "per_s": n / (time.perf_counter() - started)}
        out["server_cpu_ms"] = (group_cpu_s(self.process.pid) - cpu_before) / n * 1000
        self.hang_up()
        return out

    def hang_up(self) -> None:
        """Close this measurement's connections: the next one opens its own (no keep-alive left idle
        between workloads, for a server to time out while another is measured)."""
        for conn in self.connections:
            conn.close()
        self.connections.clear()
        self.local = threading.local()

    def close(self) -> None:
        self.process.terminate()  # a multi-process server stops its children on SIGTERM
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait(10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_answering(port: int, process: subprocess.Popen, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode} during start-up")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing answered on port {port} within {timeout_s:.0f} s")


def other_server_argv(server: str, processes: int, port: int, factory: str, threads: int = 8) -> list[str]:
    """gunicorn (gthread workers) or granian (WSGI) serving `factory` (module:function), `processes`
    processes of `threads` threads each: the servers compared with waitress (`--servers`)."""
    if server == "gunicorn":
        return [sys.executable, "-m", "gunicorn", f"--workers={processes}", "--worker-class=gthread",
                f"--threads={threads}", f"--bind=127.0.0.1:{port}", "--keep-alive=30", "--log-level=warning",
                f"{factory}()"]
    if server == "granian":
        return [sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", str(processes),
                "--blocking-threads", str(threads), "--host", "127.0.0.1", "--port", str(port),
                "--log-level", "warning", "--factory", factory]
    raise SystemExit(f"unknown server {server}")


def offline_resolve(host: str, port: int) -> list[str]:
    """No network here: every name fails at once, as an unknown name does (glibc's EAI_NONAME). The
    system resolver's answer for the framework publisher's host took 2 ms to over a second in
    this sandbox (an upstream DNS server that sometimes does not answer), and every verification asks
    (a failed fetch is not cached), so wall-clock rates measured the DNS server, not the verifier."""
    raise socket.gaierror(socket.EAI_NONAME, f"{host}: no network in the benchmark")


def bench_fetcher(settings: VerifierSettings) -> GuardedFetcher:
    return GuardedFetcher(settings.guard_policy(), resolve=offline_resolve)


def bench_app() -> Any:
    """The benchmark's verifier app (fixed clock, bundled registry, offline resolver), for gunicorn and granian."""
    settings = VerifierSettings()
    return create_app(settings, fetcher=bench_fetcher(settings), registry=FrameworkRegistry.bundled(),
                      clock=lambda: NOW)


def serve_forever(processes: int) -> None:
    """`--serve N`: the benchmark's server (the verifier as `serve()` runs it, in N processes, with
    the benchmark's fixed clock); prints its port, serves until terminated."""
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" chatter
    settings = VerifierSettings()
    listener = listen("127.0.0.1", 0)
    print(listener.getsockname()[1], flush=True)
    serve_on(listener, bench_app(), settings, processes=processes)


def engine_cpu(n: int, call: Callable[[], Any]) -> dict[str, float]:
    started_cpu, samples = time.process_time(), timed(n, call)
    return {**stats(samples), "cpu_ms": (time.process_time() - started_cpu) / n * 1000}


def merge(parts: list[dict[str, float]]) -> dict[str, float]:
    """Rounds of one workload: n summed, rates and CPU averaged, latency percentiles the rounds' median."""
    def combine(key: str) -> float:
        values = [p[key] for p in parts]
        if key == "n":
            return sum(values)
        return statistics.median(values) if key.endswith("_ms") and not key.endswith("cpu_ms") else statistics.fmean(values)
    return {key: combine(key) for key in parts[0]}


def bench_engine_and_http(n: int, key: Ed25519Key, registry: FrameworkRegistry, rounds: int = 5) -> dict[str, Any]:
    """Engine and HTTP workloads in alternating rounds, so all see the same machine load."""
    engine = engine_call(key, registry)
    server, pair = HttpEndpoint(key), HttpEndpoint(key, processes=2)
    workloads: dict[str, Callable[[int], dict[str, float]]] = {
        "engine": lambda k: engine_cpu(k, engine),
        "http": lambda k: server.measure(server.post, k),
        "http_concurrent": lambda k: server.measure(server.post, k, clients=4),
        "http_floor": lambda k: server.measure(server.health, k),
        "http_2_processes": lambda k: pair.measure(pair.post, k, clients=4),
    }
    try:
        cold = {"engine": timed(1, engine)[0] * 1000, "http": timed(1, server.post)[0] * 1000}
        for run in workloads.values():  # warm caches and every client connection
            run(20)
        results = run_rounds(workloads, n, rounds)
    finally:
        server.close()
        pair.close()
    out = {name: merge(parts) for name, parts in results.items()}
    for name, ms in cold.items():
        out[name]["cold_first_ms"] = ms
    return out


def run_rounds(workloads: dict[str, Callable[[int], dict[str, float]]], n: int,
               rounds: int) -> dict[str, list[dict[str, float]]]:
    """Every workload `n // rounds` times per round, alternating, so all see the same load."""
    results: dict[str, list[dict[str, float]]] = {name: [] for name in workloads}
    for round_ in range(rounds):
        for name, run in workloads.items():
            results[name].append(run(max(1, n // rounds)))
        print(f"round {round_ + 1}/{rounds} done", file=sys.stderr, flush=True)
    return results


def bench_servers(n: int, key: Ed25519Key, registry: FrameworkRegistry, servers: list[str],
                  rounds: int = 5) -> dict[str, Any]:
    """`--servers`: each server (`name:processes`) verifying over 1 and 4 keep-alive connections, in
    alternating rounds with the engine, so all see the same load; rates as a ratio of the engine's."""
    engine = engine_call(key, registry)
    endpoints = {}
    try:
        for spec in servers:
            name, _, processes = spec.partition(":")
            endpoints[spec] = HttpEndpoint(key, int(processes or 1), name)
        workloads: dict[str, Callable[[int], dict[str, float]]] = {"engine": lambda k: engine_cpu(k, engine)}
        for spec, endpoint in endpoints.items():
            workloads[f"{spec} 1 client"] = lambda k, e=endpoint: e.measure(e.post, k)
            workloads[f"{spec} 4 clients"] = lambda k, e=endpoint: e.measure(e.post, k, clients=4)
        for run in workloads.values():
            run(20)
        results = run_rounds(workloads, n, rounds)
    finally:
        for endpoint in endpoints.values():
            endpoint.close()
    out: dict[str, Any] = {name: merge(parts) for name, parts in results.items()}
    engine_rate, engine_ms = out["engine"]["per_s"], out["engine"]["cpu_ms"]
    out["table"] = [
        {"server": name, "per_s": round(r["per_s"], 1), "ratio_wall": round(r["per_s"] / engine_rate, 2),
         "server_cpu_ms": round(r["server_cpu_ms"], 3), "ratio_cpu": round(engine_ms / r["server_cpu_ms"], 2)}
        for name, r in out.items() if name != "engine"]
    return out


def bench_reference(n: int, key: Ed25519Key) -> dict[str, Any] | None:
    node = shutil.which("node")
    if node is None or not (ROOT / "interop" / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        return None
    credential = realistic_credential(key)
    del credential["credentialStatus"]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"credential": credential, "seedHex": SEED.hex(), "created": CREATED}, handle)
    try:
        proc = subprocess.run([node, "bench.js", str(n), handle.name], cwd=ROOT / "interop", capture_output=True,
                              text=True, timeout=900, check=True)
    finally:
        Path(handle.name).unlink()
    return json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=300, help="verifications per workload (default 300)")
    parser.add_argument("--no-reference", action="store_true", help="skip the node reference")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--servers", nargs="+", metavar="SERVER:PROCESSES",
                        help="compare servers instead: e.g. waitress:1 waitress:2 gunicorn:2 granian:2 "
                             "(4 keep-alive clients each, alternating rounds with the engine)")
    args = parser.parse_args()
    if args.serve:
        serve_forever(args.serve)
        return
    key, registry = Ed25519Key.from_seed(SEED), FrameworkRegistry.bundled()
    if args.servers:
        print(json.dumps(bench_servers(args.n, key, registry, args.servers), indent=2))
        return
    out: dict[str, Any] = bench_engine_and_http(args.n, key, registry)
    out["engine_status"] = bench_engine_status(args.n, key, registry)
    reference = None if args.no_reference else bench_reference(args.n, key)
    if reference:
        out["reference"] = {k: reference[k] for k in ("n", "verify_per_s", "verify_median_ms")}
        out["ratio_engine_vs_reference"] = out["engine"]["per_s"] / reference["verify_per_s"]
    engine_ms = out["engine"]["cpu_ms"]
    out["ratios_vs_engine"] = {
        "http_cpu": engine_ms / out["http"]["server_cpu_ms"],
        "http_concurrent_cpu": engine_ms / out["http_concurrent"]["server_cpu_ms"],
        "http_wall": out["http"]["per_s"] / out["engine"]["per_s"],
        "http_concurrent_wall": out["http_concurrent"]["per_s"] / out["engine"]["per_s"],
        "http_2_processes_wall": out["http_2_processes"]["per_s"] / out["engine"]["per_s"],
    }
    out["http_overhead_cpu_ms"] = out["http"]["server_cpu_ms"] - engine_ms
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
