"""Memory of one batch request (issue 10, finding 5): a real verifier process, its resident set
before, and its peak (VmHWM) after a `POST /credentials/verify:batch` of `{}` items that
fills the body limit (32 MiB), alone and four at once.

    python -m bench.batch_memory [--mib 32] [--concurrent 4]

Before the fix the body was parsed whole before the "at most 500" refusal: 88 -> 1,086 MiB
for one request, 1.9 GB for four. Now the items are counted while the body is scanned and
the request is refused at the 501st. Prints one JSON object (figures, never asserts).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_mib(pid: int, field: str) -> float:
    """`VmRSS` (resident now) or `VmHWM` (peak resident) of `pid`, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def start_verifier() -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BADGELINE_")}
    process = subprocess.Popen([sys.executable, "-m", "verifier", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process, port
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise RuntimeError("the verifier did not start")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def empty_items_body(mib: float) -> bytes:
    count = int(mib * 1024 * 1024 - 64) // 3
    return b'{"verifiableCredentials": [' + b",".join([b"{}"] * count) + b"]}"


def post(port: int, path: str, body: bytes) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def batch_memory(mib: float = 32, concurrent: int = 1) -> dict:
    """Start a verifier, send `concurrent` batches of `mib` MiB of `{}` items at once; the
    statuses and codes answered and the process's RSS before and peak after (MiB)."""
    body = empty_items_body(mib)
    process, port = start_verifier()
    try:
        before = proc_mib(process.pid, "VmRSS")
        answers: list[tuple[int, dict]] = []
        threads = [threading.Thread(target=lambda: answers.append(post(port, "/credentials/verify:batch", body)))
                   for _ in range(concurrent)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        peak = proc_mib(process.pid, "VmHWM")
    finally:
        stop(process)
    return {"body_mib": round(len(body) / 2**20, 1), "concurrent": concurrent,
            "statuses": sorted(status for status, _ in answers),
            "codes": sorted({answer.get("code") for _, answer in answers}, key=str),
            "rss_before_mib": round(before, 1), "peak_rss_mib": round(peak, 1),
            "growth_mib": round(peak - before, 1), "seconds": round(elapsed, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.batch_memory")
    parser.add_argument("--mib", type=float, default=32)
    parser.add_argument("--concurrent", type=int, default=4)
    args = parser.parse_args()
    print(json.dumps({"one": batch_memory(args.mib, 1),
                      "concurrent": batch_memory(args.mib, args.concurrent)}, indent=2))


if __name__ == "__main__":
    main()
