"""`badgeline up`: the whole service on one machine, with embedded defaults.

Starts, in order: the store migration, an embedded Redis (unless BADGELINE_REDIS_URL is set),
a Celery worker (with the sweep scheduler) and one web server (provider API, published
material and verifier on one port). Children get their settings as BADGELINE_* variables
and die with this process (PR_SET_PDEATHSIG); Ctrl-C or SIGTERM stops them in reverse order.
"""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone

from pipeline.embedded_redis import EmbeddedRedis
from pipeline.errors import PipelineError
from pipeline.exposure import role_env, secure_data_dir
from pipeline.identity import load_issuing_identity
from pipeline.processes import ProcessGroup, child_env, python_module
from pipeline.services import build_services
from pipeline.public_url import PublicUrlChanged, claim_public_url, local_alias_ports, public_url_aliases
from pipeline.settings import Settings
from pipeline.store import migrate


WEB_PROCESSES = min(2, os.cpu_count() or 1)
"""Web server processes by default (`badgeline web --processes`, `badgeline up --web-processes`):
one Python process uses at most one core, and a second one measured +21% single POSTs and +20%
batches on the 2-core machine (PostgreSQL, `bench.throughput_bench intake --servers`). Not one per
core beyond two: each process keeps its own database pool (up to 15 connections)."""


class StackError(PipelineError):
    code = "stack_failed"


@dataclass
class Stack:
    settings: Settings
    host: str
    port: int
    issuer_id: str
    web_url: str
    group: ProcessGroup
    alias_ports: tuple[int, ...] = ()


def settings_env(settings: Settings, redis_url: str) -> dict[str, str]:
    """The settings a child process needs, as BADGELINE_* variables."""
    env = {
        "BADGELINE_DATA_DIR": str(settings.data_dir),
        "BADGELINE_DATABASE_URL": settings.database_url,
        "BADGELINE_REDIS_URL": redis_url,
        "BADGELINE_PUBLIC_URL": settings.public_url,
        "BADGELINE_ISSUER_NAME": settings.issuer_name,
        "BADGELINE_KEY_FILE": str(settings.key_file),
        "BADGELINE_VERIFIER_ALLOWED_HOSTS": ",".join(settings.verifier_allowed_hosts),
        "BADGELINE_LOG_FORMAT": settings.log_format,
    }
    env["BADGELINE_ISSUER_DID"] = settings.issuer_did or ""  # empty = unset, whatever the parent inherited
    return env


def worker_argv(settings: Settings, concurrency: int, *, beat: bool = True) -> list[str]:
    """A Celery worker; with `beat`, it also runs the periodic sweep (one such worker per deployment)."""
    argv = python_module("celery", "-A", "pipeline.celery_main:app", "worker", "--loglevel=WARNING",
                         f"--concurrency={concurrency}")
    schedule = settings.data_dir.resolve() / "celerybeat-schedule"
    return argv + (["--beat", f"--schedule={schedule}"] if beat else [])


def web_argv(settings: Settings, host: str, port: int, threads: int = 8, also: tuple[int, ...] = (),
             processes: int = WEB_PROCESSES) -> list[str]:
    """Waitress on host:port (and on the ports in `also`: old local base URLs, see `alias_ports`), in
    `processes` processes sharing the sockets (one Python process uses at most one core)."""
    # Waitress buffers a chunked body before the app sees it: cap it at the largest upload we accept.
    limit = settings.max_event_bytes * 64
    listens = [f"--listen={host}:{p}" for p in (port, *also)]
    # verifier.waitress_guard: waitress with slow-client limits (connections, header and body times)
    return python_module("verifier.waitress_guard", *listens, f"--threads={threads}", f"--processes={processes}",
                         f"--max-request-body-size={limit}", "--call", "pipeline.web:app_from_env")


def prepare_store(settings: Settings) -> None:
    """Create the data directory (owner-only) and migrate the store to the current schema; what
    the migration created (a new SQLite file, whose WAL and SHM files take its mode) is made
    owner-only too."""
    secure_data_dir(settings.data_dir)
    migrate(settings.database_url)
    secure_data_dir(settings.data_dir)


def check_public_url(settings: Settings) -> None:
    """`claim_public_url` in its own transaction; PublicUrlChanged becomes a StackError (its message)."""
    services = build_services(settings)
    try:
        with services.sessions.begin() as session:
            claim_public_url(session, settings.public_url, services.clock())
    except PublicUrlChanged as exc:
        raise StackError(exc.message, code=exc.code) from exc
    finally:
        services.close()


def prepare(settings: Settings) -> str:
    """Migrate the store, check the public URL (`check_public_url`) and make sure the issuer key
    exists; returns the issuer id."""
    prepare_store(settings)
    check_public_url(settings)
    services = build_services(settings)
    try:
        with services.sessions.begin() as session:
            return load_issuing_identity(settings, session, datetime.now(timezone.utc)).profile.id
    finally:
        services.close()


def alias_ports(settings: Settings, host: str, port: int) -> tuple[int, ...]:
    """Ports of earlier local base URLs (`badgeline move-url`) that this web server also answers on."""
    services = build_services(settings)
    try:
        with services.read_sessions() as session:
            return tuple(local_alias_ports(public_url_aliases(session), host, port))
    finally:
        services.close()


def wait_healthy(url: str, group: ProcessGroup, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        exited = group.exited()
        if exited:
            raise StackError(f"{exited.name} exited with status {exited.process.returncode} during start-up; "
                             f"see its log in the data directory's logs/ folder")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if json.load(response).get("status") == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise StackError(f"{url}/healthz did not answer within {timeout_s:.0f} s")


@contextmanager
def running_stack(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000,
                  workers: int = 2, web_processes: int = WEB_PROCESSES) -> Iterator[Stack]:
    """Run the stack for the duration of the `with` block; everything is stopped on exit."""
    issuer_id = prepare(settings)
    redis = None
    redis_url = settings.redis_url
    if not redis_url:
        redis = EmbeddedRedis(settings.redis_dir)
        redis_url = redis.start()
    group = ProcessGroup()
    also = alias_ports(settings, host, port)
    settings = settings.model_copy(update={
        "verifier_allowed_hosts": [*settings.verifier_allowed_hosts, *(f"{host}:{p}" for p in also)]})
    try:
        env = child_env(os.environ, settings_env(settings, redis_url))
        logs = settings.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        group.spawn("worker", worker_argv(settings, workers), role_env("worker", env), logs / "worker.log")
        group.spawn("web", web_argv(settings, host, port, also=also, processes=web_processes), role_env("web", env),
                    logs / "web.log")
        web_url = f"http://{host}:{port}"
        wait_healthy(web_url, group)
        yield Stack(settings, host, port, issuer_id, web_url, group, also)
    finally:
        group.stop()
        if redis:
            redis.stop()


def serve_forever(stack: Stack, group_check_s: float = 1.0) -> None:
    """Block until SIGINT/SIGTERM (both end the `with running_stack(...)` block cleanly);
    a child that dies on its own ends it too, with StackError."""
    stopping = {"flag": False}

    def _stop(signum, frame):  # noqa: ARG001
        stopping["flag"] = True

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stopping["flag"]:
            exited = stack.group.exited()
            if exited:
                raise StackError(f"{exited.name} exited with status {exited.process.returncode}")
            time.sleep(group_check_s)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
