"""Revocation latency: from `POST /api/v1/credentials/<uuid>/revoke` to the bit in the signed
list served at its URL, through the real stack (`badgeline up` machinery: waitress, K worker
processes, Redis), one revocation at a time.

    python -m bench.revocation_bench [-n 40] [-m 20] [-k 1] [--postgres URL] [--redis URL]

Issues `n` credentials (whole-level events), then revokes `m` of them with the provider key
that produced them, polling `GET /status/1` every 10 ms (conditional GET: `If-None-Match`,
so unchanged lists answer 304). Prints p50 / p95 / max of request -> bit visible, and how
many polls answered 304. Figures are printed, never asserted (README: target under 5 s).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import statistics
import sys
import tempfile
import time
import zlib
from urllib.parse import urlsplit

from sqlalchemy import select

from bench.pipeline_bench import bench_settings, fresh_schema, post_all, wait_processed
from pipeline.demo import accredit
from pipeline.runner import running_stack
from pipeline.services import build_services
from pipeline.settings import Settings
from pipeline.store.models import Credential


def bit(listing: dict, index: int) -> int:
    encoded = listing["credentialSubject"]["encodedList"][1:]
    raw = zlib.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)), 31)
    return 1 if raw[index // 8] & (0x80 >> (index % 8)) else 0


class Client:
    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.etag: str | None = None
        self.listing: dict | None = None
        self.not_modified = 0

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers or {})
        response = self.conn.getresponse()
        return response.status, response.getheader("ETag"), response.read()

    def status_list(self) -> dict:
        status, etag, data = self.request("GET", "/status/1", headers={"If-None-Match": self.etag} if self.etag else {})
        if status == 304:
            self.not_modified += 1
        else:
            self.etag, self.listing = etag, json.loads(data)
        return self.listing


def credentials(settings: Settings) -> list[tuple[str, int]]:
    services = build_services(settings)
    try:
        with services.sessions() as session:
            return [(c, i) for c, i in session.execute(select(Credential.id, Credential.status_index)
                                                       .where(Credential.status_list_id == "1"))]
    finally:
        services.close()


def run(n: int, m: int, workers: int, postgres_url: str | None, redis_url: str | None) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="badgeline-bench-") as tmp, fresh_schema(postgres_url) as database_url:
        settings, port = bench_settings(tmp, database_url, redis_url)
        with running_stack(settings, port=port, workers=workers) as stack:
            key = accredit(settings)["north"]
            post_all(stack.web_url, key, n, 4)
            wait_processed(settings, n, timeout_s=max(120.0, n * 0.5))
            client, latencies = Client(stack.web_url), []
            for credential_id, index in credentials(settings)[:m]:
                uuid = credential_id.removeprefix("urn:uuid:")
                started = time.perf_counter()
                status, _, _ = client.request("POST", f"/api/v1/credentials/{uuid}/revoke", {"reason": "bench"},
                                              {"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
                if status != 200:
                    raise SystemExit(f"revoke answered {status}")
                while bit(client.status_list(), index) != 1:
                    if time.perf_counter() - started > 60:
                        raise SystemExit("the bit did not show within 60 s")
                    time.sleep(0.01)
                latencies.append(time.perf_counter() - started)
                print(f"\rrevoked {len(latencies)}/{m}", end="", file=sys.stderr)
            print(f"\n304 answers while polling: {client.not_modified}", file=sys.stderr)
    return latencies


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=40, help="credentials to issue (default 40)")
    parser.add_argument("-m", type=int, default=20, help="of which to revoke, one at a time (default 20)")
    parser.add_argument("-k", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--postgres", metavar="URL")
    parser.add_argument("--redis", metavar="URL")
    args = parser.parse_args(argv)
    latencies = sorted(run(args.n, args.m, args.k, args.postgres, args.redis))
    p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
    print(f"store: {'PostgreSQL' if args.postgres else 'SQLite'}; {args.k} worker(s); {len(latencies)} revocations")
    print(f"revoke request -> bit in the served list: p50 {statistics.median(latencies):.3f} s, "
          f"p95 {p95:.3f} s, max {latencies[-1]:.3f} s (target < 5 s)")


if __name__ == "__main__":
    main()
