"""What each candidate web server does with a huge body and with slow clients, measured on real servers.

    python -m bench.server_limits [--servers waitress gunicorn granian] [--mib 100] [--slow 40]

Each server runs the verifier app (`bench.verify_bench.bench_app`: its `/credentials/verify` reads
at most its cap of the body) in 1 process of 8 threads:

- `huge body`: one POST of `--mib` MiB with its Content-Length, sent in full; the answer's status
  and the growth of the server's peak resident memory (VmHWM, all its processes). waitress runs as
  `badgeline web` runs it (`verifier.waitress_guard`, body cap = the verifier's).
- `slow headers` / `slow body`: `--slow` connections that send a request line (or headers and
  part of a body) and then one byte a second; after 15 s, whether `/healthz` still answers within
  5 s, and how many of the slow connections the server has closed.
Figures printed, never asserted (the guarantees for the server we run are tests:
tests/verifier/test_slow_clients.py, tests/verifier/test_batch_memory.py).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from bench.batch_memory import stop
from bench.verify_bench import free_port, other_server_argv, wait_answering

ROOT = Path(__file__).resolve().parents[1]


def server_argv(name: str, port: int) -> list[str]:
    if name == "waitress":
        return [sys.executable, "-m", "verifier.waitress_guard", f"--listen=127.0.0.1:{port}", "--threads=8",
                f"--max-request-body-size={4 * 1024 * 1024}", "--call", "bench.verify_bench:bench_app"]
    return other_server_argv(name, 1, port, "bench.verify_bench:bench_app")


def peak_kib(pgid: int) -> int:
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) != pgid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total


def huge_body(port: int, mib: int) -> str:
    size = mib * 1024 * 1024
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(f"POST /credentials/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {size}\r\n\r\n".encode())
        chunk, sent = b" " * (1024 * 1024), 0
        try:
            while sent < size:
                sock.sendall(chunk)
                sent += len(chunk)
        except OSError as error:
            return f"connection closed after {sent // (1024 * 1024)} MiB sent ({error.__class__.__name__})"
        sock.settimeout(60)
        try:
            status_line = sock.recv(200).split(b"\r\n", 1)[0].decode(errors="replace")
            return f"all {mib} MiB sent; answer: {status_line or 'connection closed'}"
        except OSError as error:
            return f"all {mib} MiB sent; no answer ({error.__class__.__name__})"


def healthz_s(port: int) -> str:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return f"{response.status} in {time.perf_counter() - started:.2f} s"
    except OSError as error:
        return f"no answer ({error.__class__.__name__})"


def slow_clients(port: int, count: int, body: bool) -> str:
    head = (b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000\r\n\r\n{" if body else b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(head)
        sockets.append(sock)
    stop = threading.Event()
    closed = set()

    def drip() -> None:
        while not stop.wait(1.0):
            for i, sock in enumerate(sockets):
                try:
                    sock.send(b" ")
                except OSError:
                    closed.add(i)

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    try:
        time.sleep(15)
        answer = healthz_s(port)
        return f"healthz {answer}; {len(closed)} of {count} slow connections closed by the server after 15 s"
    finally:
        stop.set()
        thread.join(5)
        for sock in sockets:
            sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--servers", nargs="+", default=["waitress", "gunicorn", "granian"])
    parser.add_argument("--mib", type=int, default=100)
    parser.add_argument("--slow", type=int, default=40)
    args = parser.parse_args()
    for name in args.servers:
        port = free_port()
        process = subprocess.Popen(server_argv(name, port), cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True,
                                   env={**os.environ, "PYTHONPATH": str(ROOT)})
        try:
            wait_answering(port, process)
            print(f"{name}: healthz {healthz_s(port)}", flush=True)
            before = peak_kib(process.pid)
            outcome = huge_body(port, args.mib)
            time.sleep(1)
            grown = (peak_kib(process.pid) - before) / 1024
            print(f"  huge body ({args.mib} MiB): {outcome}; peak RSS +{grown:.0f} MiB", flush=True)
            print(f"  slow headers x{args.slow}: {slow_clients(port, args.slow, body=False)}", flush=True)
            print(f"  slow body x{args.slow}: {slow_clients(port, args.slow, body=True)}", flush=True)
        finally:
            stop(process)


if __name__ == "__main__":
    main()
