"""Deliver N badges into wallets over OID4VCI against the real stack; compare with VC API issuing.

    python -m bench.wallet_bench [-n 50] [--postgres URL] [--redis URL]

A fresh stack (`badgeline up` machinery: store, Redis, one worker process, waitress) issues N
credentials for N learners. Then, one delivery at a time, a Python holder with its own did:key
runs the OID4VCI pre-authorized flow over HTTP: provider API offer -> credential offer ->
token -> nonce -> credential request with a `jwt` proof (the worker signs the holder-bound
copy). Figures: each step's median and the whole delivery's p50 / p99.

Reference: `POST /credentials/issue` (VC API, the same worker and signing task machinery) of
the same holder-bound credential, unsigned, one at a time: the ratio says what the wallet
protocol and bookkeeping (offer, token, nonce, proof check, status slot, stored row) cost on
top of one worker-signed round trip. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.pipeline_bench import fresh_schema, post_all, wait_processed
from issuer.holder_binding import bind_to_holder
from pipeline.demo import accredit
from pipeline.embedded_redis import free_port
from pipeline.runner import running_stack
from pipeline.services import build_services
from pipeline.settings import Settings
from pipeline.store.models import Credential
from pipeline.vcapi import admin_key_hash
from pipeline.wallet.offers import PRE_AUTHORIZED_GRANT
from tests.wallet.holder import Holder

ADMIN_KEY = "bench-admin-key-" + uuid.uuid4().hex


class Client:
    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)

    def call(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, dict]:
        self.conn.request(method, path, body=body, headers=headers or {})
        response = self.conn.getresponse()
        return response.status, json.loads(response.read() or b"null")


def timed(steps: dict[str, list[float]], name: str, call):
    started = time.perf_counter()
    status, body = call()
    steps.setdefault(name, []).append((time.perf_counter() - started) * 1000)
    if status not in (200, 201):
        raise SystemExit(f"{name}: {status} {body}")
    return body


def deliver(client: Client, base: str, api_key: str, credential_id: str, steps: dict[str, list[float]]) -> dict:
    holder = Holder()
    started = time.perf_counter()
    offer = timed(steps, "offer (API)", lambda: client.call(
        "POST", f"/api/v1/credentials/{credential_id.removeprefix('urn:uuid:')}/offer",
        headers={"Authorization": f"Bearer {api_key}"}))
    offer_object = timed(steps, "credential offer", lambda: client.call(
        "GET", urlsplit(offer["credential_offer_uri"]).path))
    code = offer_object["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    token = timed(steps, "token", lambda: client.call(
        "POST", "/oid4vci/token", urlencode({"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"}))["access_token"]
    nonce = timed(steps, "nonce", lambda: client.call("POST", "/oid4vci/nonce"))["c_nonce"]
    request = {"credential_configuration_id": "OpenBadgeCredential_ldp_vc",
               "proofs": {"jwt": [holder.proof(aud=base, nonce=nonce)]}}
    answer = timed(steps, "credential (worker signs)", lambda: client.call(
        "POST", "/oid4vci/credential", json.dumps(request).encode(),
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}))
    steps.setdefault("whole delivery", []).append((time.perf_counter() - started) * 1000)
    return answer["credentials"][0]["credential"]


def vcapi_issue(client: Client, original: dict, steps: dict[str, list[float]]) -> None:
    unsigned = bind_to_holder(original, holder_did=Holder().did, credential_id=f"urn:uuid:{uuid.uuid4()}",
                              valid_from=datetime.now(timezone.utc),
                              status_entry=None)
    timed(steps, "reference: POST /credentials/issue", lambda: client.call(
        "POST", "/credentials/issue", json.dumps({"credential": unsigned}).encode(),
        {"Authorization": f"Bearer {ADMIN_KEY}", "Content-Type": "application/json"}))


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def run(n: int, postgres_url: str | None, redis_url: str | None) -> dict[str, list[float]]:
    steps: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="badgeline-wallet-bench-") as tmp, fresh_schema(postgres_url) as db:
        port = free_port()
        values: dict = {"data_dir": Path(tmp), "public_url": f"http://127.0.0.1:{port}"}
        os.environ["BADGELINE_ADMIN_KEY_HASH"] = admin_key_hash(ADMIN_KEY)  # the web child enables the VC API
        if db:
            values["database_url"] = db
        if redis_url:
            values["redis_url"] = redis_url
        settings = Settings.explicit(**values)
        with running_stack(settings, port=port, workers=1) as stack:
            key = accredit(settings)["north"]
            post_all(stack.web_url, key, n, 4)
            wait_processed(settings, n, timeout_s=max(120.0, n * 2.0))
            services = build_services(settings)
            with services.sessions() as session:
                originals = [(c.id, c.document) for c in session.query(Credential).filter(Credential.derived_from.is_(None))]
            services.close()
            client = Client(stack.web_url)
            for credential_id, document in originals:
                deliver(client, stack.web_url, key, credential_id, steps)
                vcapi_issue(client, document, steps)
    return steps


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=50, help="credentials to deliver (default 50)")
    parser.add_argument("--postgres", metavar="URL", help="use PostgreSQL (a fresh schema) instead of SQLite")
    parser.add_argument("--redis", metavar="URL", help="use this Redis instead of an embedded one")
    args = parser.parse_args(argv)
    steps = run(args.n, args.postgres, args.redis)
    print(f"\nstore: {'PostgreSQL' if args.postgres else 'SQLite'}; {args.n} deliveries, one at a time, one worker")
    print(f"{'step':<40}{'p50 ms':>10}{'p99 ms':>10}")
    for name, values in steps.items():
        print(f"{name:<40}{statistics.median(values):>10.1f}{p(values, 0.99):>10.1f}")
    whole = statistics.median(steps["whole delivery"])
    reference = statistics.median(steps["reference: POST /credentials/issue"])
    signed = statistics.median(steps["credential (worker signs)"])
    print(f"whole OID4VCI delivery / one VC API issue: {whole / reference:.2f}x; "
          f"credential request alone / VC API issue: {signed / reference:.2f}x")


if __name__ == "__main__":
    main()
