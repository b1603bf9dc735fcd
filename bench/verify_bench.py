"""Verification throughput and latency: the engine alone, the HTTP endpoint, and the W3C reference.

    python -m bench.verify_bench [-n 300] [--no-reference]

Workloads (one core, sequential; the reference runs in the same run on the same machine):
* `engine`: `VerifierEngine.verify_value` on the Proficient credential (did:key issuer, no
  status entry: the same work the reference's `bench.js` does). `cold_first_ms` is the first
  verification in this process (context and proof caches empty).
* `engine_status`: the same credential with a BitstringStatusListEntry whose list is served
  by a loopback HTTP server (allowlisted): `cold` with empty fetch caches, then warm.
* `http`: POST /credentials/verify to the app under waitress (`verifier.app.waitress_options`,
  2 threads) in its OWN process, over one keep-alive loopback connection: what a client of a
  deployed verifier sees. `http_floor`: GET /healthz the same way, the fixed per-request cost
  of client + loopback + waitress + Flask that no view change can remove.
* `http_saturated`: the same server process kept busy by 2 concurrent keep-alive clients (in
  this process, on the other core). Measured to show that concurrency does not hide the
  per-request cost: waitress's threads share one GIL, so it is lower than one connection.
* `http_in_process`: the same POST with waitress in this process (the earlier method: client
  and server threads share one GIL, which inflates the HTTP cost).
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
from verifier.app import VerifierSettings, create_app, make_engine, waitress_options

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
    engine = make_engine(VerifierSettings(), registry=registry, clock=lambda: NOW)

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


class HttpEndpoint:
    """The app under waitress on loopback (in this process, or in a child process), and one
    keep-alive client connection to it."""

    def __init__(self, key: Ed25519Key, registry: FrameworkRegistry, *, own_process: bool) -> None:
        self.process: subprocess.Popen | None = None
        if own_process:
            self.process = subprocess.Popen([sys.executable, "-m", "bench.verify_bench", "--serve"], cwd=ROOT,
                                            stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
            port = int(self.process.stdout.readline())
        else:
            port = start_server(registry).effective_port
        self.body = json.dumps({"verifiableCredential": signed_credential(key)}).encode()
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def post(self) -> None:
        self.conn.request("POST", "/credentials/verify", body=self.body, headers={"Content-Type": "application/json"})
        response = self.conn.getresponse()
        payload = response.read()
        if response.status != 200:
            raise SystemExit(f"HTTP verify returned {response.status}: {payload[:300]!r}")

    def saturate(self, n: int, clients: int = 2) -> dict[str, float]:
        """`n` POSTs over `clients` concurrent keep-alive connections: the server's throughput when it
        is never idle waiting for the client (what a busy deployment sees), per server process."""
        from concurrent.futures import ThreadPoolExecutor

        port = self.conn.port
        local = threading.local()

        def one(_: int) -> None:
            conn = getattr(local, "conn", None) or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            local.conn = conn
            conn.request("POST", "/credentials/verify", body=self.body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"HTTP verify returned {response.status}")

        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(one, range(20)))  # warm every connection
            started = time.perf_counter()
            list(pool.map(one, range(n)))
            elapsed = time.perf_counter() - started
        return {"n": n, "clients": clients, "per_s": n / elapsed}

    def health(self) -> None:
        self.conn.request("GET", "/healthz")
        response = self.conn.getresponse()
        response.read()

    def close(self) -> None:
        self.conn.close()  # an in-process server thread is a daemon: closing waitress from here races its loop
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)


def start_server(registry: FrameworkRegistry):
    """waitress serving the verifier on a free loopback port, in a daemon thread."""
    from waitress.server import create_server

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" chatter
    settings = VerifierSettings()
    app = create_app(settings, registry=registry, clock=lambda: NOW)
    server = create_server(app, host="127.0.0.1", port=0, **waitress_options(settings, threads=2))
    threading.Thread(target=server.run, daemon=True).start()
    return server


def serve_forever() -> None:
    """`--serve`: the benchmark's server process; prints its port, serves until terminated."""
    server = start_server(FrameworkRegistry.bundled())
    print(server.effective_port, flush=True)
    threading.Event().wait()


def bench_engine_and_http(n: int, key: Ed25519Key, registry: FrameworkRegistry, rounds: int = 5) -> dict[str, Any]:
    """Engine and HTTP workloads in alternating rounds, so all see the same machine load."""
    engine = engine_call(key, registry)
    remote = HttpEndpoint(key, registry, own_process=True)
    local = HttpEndpoint(key, registry, own_process=False)
    workloads = {"engine": engine, "http": remote.post, "http_floor": remote.health, "http_in_process": local.post}
    try:
        saturated = remote.saturate(n)
        cold = {name: timed(1, call)[0] for name, call in workloads.items()}
        for call in workloads.values():  # warm every process's caches before measuring
            timed(20, call)
        samples: dict[str, list[float]] = {name: [] for name in workloads}
        for _ in range(rounds):
            for name, call in workloads.items():
                samples[name] += timed(max(1, n // rounds), call)
    finally:
        remote.close()
        local.close()
    out = {name: {**stats(values), "cold_first_ms": cold[name] * 1000} for name, values in samples.items()}
    return {**out, "http_saturated": saturated}


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
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_forever()
        return
    key, registry = Ed25519Key.from_seed(SEED), FrameworkRegistry.bundled()
    out: dict[str, Any] = bench_engine_and_http(args.n, key, registry)
    out["engine_status"] = bench_engine_status(args.n, key, registry)
    reference = None if args.no_reference else bench_reference(args.n, key)
    if reference:
        out["reference"] = {k: reference[k] for k in ("n", "verify_per_s", "verify_median_ms")}
        out["ratio_engine_vs_reference"] = out["engine"]["per_s"] / reference["verify_per_s"]
    out["ratio_http_vs_engine"] = out["http"]["per_s"] / out["engine"]["per_s"]
    out["ratio_http_saturated_vs_engine"] = out["http_saturated"]["per_s"] / out["engine"]["per_s"]
    out["ratio_http_in_process_vs_engine"] = out["http_in_process"]["per_s"] / out["engine"]["per_s"]
    out["http_overhead_ms"] = out["http"]["p50_ms"] - out["engine"]["p50_ms"]
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
