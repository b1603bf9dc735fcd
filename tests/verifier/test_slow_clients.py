"""Issue 10, finding 4: slow clients cannot stop either web server.

Real server processes (the verifier as `python -m verifier` runs it, and the issuing service's
web process exactly as `badgeline web` launches it) take 110 connections that each send a
byte every second and never finish their request; `/healthz` must still answer. waitress's
defaults (100 connections, an inactivity-only timeout) failed this. A client dripping its
headers is disconnected once its header time is up (`verifier.waitress_guard`)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.batch_memory import free_port, stop
from pipeline.runner import settings_env, web_argv
from pipeline.settings import Settings
from tests.processes import alive, children_of, wait_for
from verifier.waitress_guard import create_guarded_server

ROOT = Path(__file__).resolve().parents[2]
SLOW_CLIENTS = 110


def healthz(port: int, timeout: float) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=timeout) as response:
        return response.status


def _verifier_argv(port: int, tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BADGELINE_")}
    return [sys.executable, "-m", "verifier", "--port", str(port)], env


def _web_argv(port: int, tmp_path: Path, processes: int | None = None) -> tuple[list[str], dict[str, str]]:
    settings = Settings.explicit(database_url=f"sqlite:///{tmp_path / 'store.db'}", data_dir=tmp_path,
                                 public_url=f"http://127.0.0.1:{port}", api_key_pepper="pepper")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BADGELINE_")}
    argv = web_argv(settings, "127.0.0.1", port, **({"processes": processes} if processes else {}))
    return argv, {**env, **settings_env(settings, "redis://127.0.0.1:6379/15")}


SERVERS = {"verifier": _verifier_argv, "web": _web_argv,
           "web, 1 process": lambda port, tmp_path: _web_argv(port, tmp_path, 1),
           "web, 2 processes": lambda port, tmp_path: _web_argv(port, tmp_path, 2)}


@pytest.fixture(params=list(SERVERS))
def server_port(request, tmp_path) -> Iterator[int]:
    port = free_port()
    argv, env = SERVERS[request.param](port, tmp_path)
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        wait_for(lambda: _answers(port) or process.poll() is not None, 60, "the server to answer")
        assert process.poll() is None, f"{request.param} exited with {process.returncode}"
        yield port
    finally:
        stop(process)


def _answers(port: int) -> bool:
    try:
        return healthz(port, 2) in (200, 503)
    except OSError:
        return False


class SlowClients:
    """`count` connections, each sending a request line and then one header byte a second."""

    def __init__(self, port: int, count: int, interval_s: float = 1.0) -> None:
        self.sockets = []
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: slow\r\nX-Slow: ")
            self.sockets.append(sock)
        self.stopping = threading.Event()
        self.interval_s = interval_s
        self.thread = threading.Thread(target=self._drip, daemon=True)
        self.thread.start()

    def _drip(self) -> None:
        while not self.stopping.wait(self.interval_s):
            for sock in self.sockets:
                try:
                    sock.send(b"a")
                except OSError:
                    pass

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(5)
        for sock in self.sockets:
            sock.close()


def test_110_slow_connections_leave_healthz_answering(server_port):
    clients = SlowClients(server_port, SLOW_CLIENTS)
    try:
        time.sleep(2.5)  # every slow client has dripped a couple of bytes
        assert healthz(server_port, timeout=20) == 200
    finally:
        clients.close()


def _hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


def test_a_client_dripping_its_headers_is_disconnected():
    server = create_guarded_server(_hello, listen="127.0.0.1:0", header_timeout_s=1.0, threads=2)
    port = server.effective_port
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: slow\r\nX-Slow: ")
            closed = False
            for _ in range(150):  # 30 s of drip at most; the guard allows 1 s (+1 s maintenance period)
                time.sleep(0.2)
                try:
                    sock.send(b"a")
                    sock.settimeout(0.01)
                    closed = sock.recv(1) == b""
                except (TimeoutError, socket.timeout):
                    continue
                except OSError:
                    closed = True
                if closed:
                    break
            assert closed, "the server kept a connection whose headers never ended"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.read() == b"hello"  # and it still serves
    finally:
        server.close()


@pytest.mark.parametrize("processes", [1, 2])
def test_the_real_web_command_answers_an_oversized_body_as_a_problem_on_every_port(tmp_path, processes):
    """`badgeline web`'s command line (web_argv) with a second listening port (an old local base URL),
    in one process or several sharing the sockets: both ports answer, a body over the upload limit
    (declared, or chunked: never held whole) is waitress's own 413 as problem+json from every
    process, and SIGTERM stops them all."""
    port, alias = free_port(), free_port()
    settings = Settings.explicit(database_url=f"sqlite:///{tmp_path / 'store.db'}", data_dir=tmp_path,
                                 public_url=f"http://127.0.0.1:{port}", api_key_pepper="pepper", max_event_bytes=1024)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BADGELINE_")}
    process = subprocess.Popen(web_argv(settings, "127.0.0.1", port, also=(alias,), processes=processes), cwd=ROOT,
                               env={**env, **settings_env(settings, "redis://127.0.0.1:6379/15")},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(lambda: (_answers(port) and _answers(alias)) or process.poll() is not None, 60, "both ports")
        assert process.poll() is None
        servers = children_of(process.pid) if processes > 1 else {process.pid}
        assert len(servers) == processes
        for _ in range(4 * processes):  # new connections: each process takes some of them
            _assert_oversized_is_a_problem(port, chunked=False)
            _assert_oversized_is_a_problem(alias, chunked=True)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)
        wait_for(lambda: not any(alive(pid) for pid in servers), 20, "every web process to stop")
        stop(process)


def _assert_oversized_is_a_problem(port: int, *, chunked: bool) -> None:
    data = b"x" * (64 * 1024 + 1)
    body = iter([data[:40_000], data[40_000:]]) if chunked else data
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/events:csv", data=body,
                                     headers={"Content-Type": "text/csv"}, method="POST")
    try:
        urllib.request.urlopen(request, timeout=10)
        raise AssertionError("an oversized body was accepted")
    except urllib.error.HTTPError as error:
        problem = json.loads(error.read())
        assert error.code == 413 and error.headers["Content-Type"] == "application/problem+json"
        assert problem["code"] == "payload_too_large" and "65536" in problem["detail"]
