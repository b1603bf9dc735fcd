"""Worker test fixtures: events through the real adapters, a real key, real worker processes.

Database fixtures (`db_url`, `engine`, `sessions`, SQLite and PostgreSQL) come from
tests/db_fixtures.py. Redis: `BADGELINE_TEST_REDIS_URL` (default redis://127.0.0.1:6379/15);
each test uses its own queue name, whose keys are deleted afterwards, so runs never see each
other's messages. Workers are `python -m celery -A pipeline.celery_main:app worker`
subprocesses configured only through BADGELINE_* variables, stopped by their own pid.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import sessionmaker

from issuer.frameworks.registry import FrameworkRegistry
from issuer.frameworks.urls import FrameworkUrls
from pipeline.events import EventContext, parse_event
from pipeline.identity import load_issuing_identity
from pipeline.processing import Processor
from pipeline.settings import Settings
from pipeline.store.event_log import record_event
from pipeline.store.models import Award, Credential, Event, Provider
from pipeline.worker import CeleryDispatcher, WorkerOptions, create_celery_app

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = "https://badges.example.org"
FW = {"id": "29-2052.00", "version": "v.26.05"}
OCCURRED = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
CLOCK = datetime(2026, 11, 20, 16, 0, tzinfo=timezone.utc)
REGISTRY = FrameworkRegistry.bundled()
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"


def codes(level: str, numbers: range | list[int]) -> list[str]:
    return [f"{level[0].upper()}{n:02d}" for n in numbers]


def native(event_id: str, *, email: str | None = "ana@example.org", name: str = "Ana Diaz", did: str | None = None,
           statements: list[str] | None = None, level: str | None = None, score: float = 0.9,
           passed: bool | None = None, assessment: str = "quiz-1", minutes: int = 0) -> dict[str, Any]:
    """A native event document (statement results, or a whole `level`)."""
    learner: dict[str, Any] = {"name": name}
    if email:
        learner["email"] = email
    if did:
        learner["did"] = did
    doc: dict[str, Any] = {
        "event_id": event_id, "type": "assessment.completed",
        "occurred_at": (OCCURRED + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z"),
        "learner": learner, "framework": dict(FW),
        "assessment": {"id": assessment, "name": f"Assessment {assessment}",
                       "url": f"https://lms.example.org/assessments/{assessment}"},
    }
    verdict = {} if passed is None else {"passed": passed}
    if level:
        doc.update({"level": level, "score": score, **verdict})
    else:
        doc["results"] = [{"statement": code, "score": score, **verdict} for code in statements or []]
    return doc


@dataclass
class Store:
    """Writes what the API would write: providers and accepted events (parsed by the adapters).

    Reads go through `reader`, a plain engine: the store's SQLite engine starts every
    transaction with BEGIN IMMEDIATE, so polling with it would queue behind (and hold up)
    the workers' write transactions; plain WAL readers never wait.
    """

    sessions: Any
    reader: Any

    def provider(self, name: str) -> str:
        with self.sessions.begin() as s:
            row = Provider(name=f"{name} {uuid.uuid4().hex[:6]}", url=f"https://{name.lower()}.example.org",
                           created_at=CLOCK)
            s.add(row)
            s.flush()
            return row.id

    def record(self, provider_id: str, doc: dict[str, Any]) -> str:
        parsed = parse_event(doc, EventContext(frameworks=REGISTRY, public_url=PUBLIC, now=CLOCK))
        with self.sessions.begin() as s:
            return record_event(s, provider_id=provider_id, provider_event_id=doc["event_id"],
                                raw_payload=json.dumps(doc, sort_keys=True).encode(), source_format="native",
                                parsed=parsed.to_json(), now=CLOCK).event.id

    def event(self, event_id: str) -> Event:
        with self.reader() as s:
            return s.get(Event, event_id)

    def count(self, model: type) -> int:
        with self.reader() as s:
            return s.scalar(select(func.count()).select_from(model))

    def credentials_of(self, event_id: str) -> list[Credential]:
        with self.reader() as s:
            return list(s.scalars(select(Credential).join(Award).where(Award.event_id == event_id)))

    def wait_final(self, event_ids: list[str], timeout: float = 40.0) -> list[Event]:
        """Poll until every event is `processed` or `rejected` (bounded)."""
        deadline = time.monotonic() + timeout
        while True:
            with self.reader() as s:
                rows = list(s.scalars(select(Event).where(Event.id.in_(event_ids))))
            if len(rows) == len(event_ids) and all(r.state in ("processed", "rejected") for r in rows):
                return sorted(rows, key=lambda r: event_ids.index(r.id))
            if time.monotonic() > deadline:
                states = {r.id: r.state for r in rows}
                raise AssertionError(f"events not final after {timeout}s: {states}")
            time.sleep(0.1)


@pytest.fixture
def reader(engine, db_url) -> Iterator[sessionmaker]:
    plain = create_engine(db_url)
    yield sessionmaker(plain, expire_on_commit=False)
    plain.dispose()


@pytest.fixture
def store(sessions, reader) -> Store:
    return Store(sessions, reader)


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    return Settings.explicit(database_url=db_url, data_dir=tmp_path / "data", public_url=PUBLIC)


@pytest.fixture
def processor(sessions, settings) -> Processor:
    """The use case in-process (no Celery): the real key file, a fixed clock."""
    return Processor(sessions=sessions, registry=REGISTRY, urls=FrameworkUrls(PUBLIC), public_url=PUBLIC,
                     clock=lambda: CLOCK, identity=lambda s, now: load_issuing_identity(settings, s, now))


# --- real Redis and real workers ---------------------------------------------------------------
def redis_url() -> str:
    return os.environ.get("BADGELINE_TEST_REDIS_URL", DEFAULT_REDIS)


@pytest.fixture(scope="session")
def shared_redis() -> str:
    url = redis_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {url} unreachable: {error}")
        pytest.skip(f"Redis at {url} unreachable: {error}")
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A private redis-server (no persistence) that a test may stop and start again."""

    def __init__(self, directory: Path) -> None:
        self.directory, self.port, self.process = directory, free_port(), None
        directory.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise AssertionError("private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


@pytest.fixture
def private_redis(tmp_path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@dataclass
class WorkerProcess:
    """One `celery worker` subprocess, its log in a file."""

    name: str
    env: dict[str, str]
    log_path: Path
    args: tuple[str, ...] = ()
    process: subprocess.Popen | None = None
    _log: Any = None

    def start(self) -> WorkerProcess:
        self._log = open(self.log_path, "ab")
        command = [sys.executable, "-m", "celery", "-A", "pipeline.celery_main:app", "worker", "--pool=solo",
                   "--loglevel=INFO", "-n", f"{self.name}@%h", "--without-gossip", "--without-mingle",
                   "--without-heartbeat", *self.args]
        self.process = subprocess.Popen(command, env=self.env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT)
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_ready(self, timeout: float = 30.0) -> WorkerProcess:
        deadline = time.monotonic() + timeout
        while f"{self.name}@" not in self.log() or " ready." not in self.log():
            if self.process.poll() is not None:
                raise AssertionError(f"worker {self.name} exited:\n{self.log()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"worker {self.name} not ready:\n{self.log()[-3000:]}")
            time.sleep(0.1)
        return self

    def kill(self) -> None:
        """SIGKILL: no cleanup, no acknowledgement, the transaction in flight is lost."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._log is not None:
            self._log.close()


@dataclass
class Stack:
    """A database, a Redis queue of this test's own, and the workers started on them."""

    settings: Settings
    options: WorkerOptions
    tmp: Path
    store: Store
    workers: list[WorkerProcess] = field(default_factory=list)

    @property
    def app(self):
        return create_celery_app(self.settings, self.options)

    def dispatcher(self) -> CeleryDispatcher:
        return CeleryDispatcher(self.app)

    def env(self, **extra: Any) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BADGELINE_")}
        env.update({
            "BADGELINE_DATABASE_URL": self.settings.database_url, "BADGELINE_REDIS_URL": str(self.settings.redis_url),
            "BADGELINE_DATA_DIR": str(self.settings.data_dir), "BADGELINE_PUBLIC_URL": self.settings.public_url,
            "BADGELINE_CELERY_QUEUE": self.options.queue,
            "BADGELINE_BROKER_VISIBILITY_TIMEOUT_S": str(self.options.visibility_timeout_s),
            "BADGELINE_SWEEP_INTERVAL_S": str(self.settings.sweep_interval_s),
            "BADGELINE_SWEEP_MIN_AGE_S": str(self.settings.sweep_min_age_s),
            "BADGELINE_CLAIM_LEASE_S": str(self.settings.claim_lease_s),
        })
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def worker(self, *args: str, ready: bool = True, **extra_env: Any) -> WorkerProcess:
        name = f"w{len(self.workers)}-{uuid.uuid4().hex[:6]}"
        worker = WorkerProcess(name, self.env(**extra_env), self.tmp / f"{name}.log", args).start()
        self.workers.append(worker)
        return worker.wait_ready() if ready else worker

    def logs(self) -> str:
        return "\n".join(f"--- {w.name}\n{w.log()[-4000:]}" for w in self.workers)

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()


def make_stack(sessions, reader, db_url: str, broker: str, tmp_path: Path, *, visibility_s: float = 300.0,
               **settings: Any) -> Stack:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    options = WorkerOptions(queue=f"badgeline-test-{uuid.uuid4().hex[:12]}", visibility_timeout_s=visibility_s)
    config = Settings.explicit(database_url=db_url, redis_url=broker, data_dir=data, public_url=PUBLIC, **settings)
    return Stack(config, options, tmp_path, Store(sessions, reader))


def forget_queue(broker: str, queue: str) -> None:
    """Delete this test's queue and kombu's bindings of it (nothing else in the database)."""
    client = redis.Redis.from_url(broker, socket_connect_timeout=2)
    try:
        keys = list(client.scan_iter(match=f"*{queue}*"))
        if keys:
            client.delete(*keys)
        deadlines = [m for m in client.zrange("_kombu.binding_deadlines", 0, -1) if queue.encode() in m]
        if deadlines:
            client.zrem("_kombu.binding_deadlines", *deadlines)
    except redis.RedisError:
        pass  # a private server already stopped


@pytest.fixture
def stack_factory(engine, sessions, reader, db_url, tmp_path) -> Iterator[Callable[..., Stack]]:
    """`stack_factory(broker, **settings)`: a Stack; its workers are stopped and its queue deleted at the end."""
    made: list[Stack] = []

    def factory(broker: str, **kwargs: Any) -> Stack:
        made.append(make_stack(sessions, reader, db_url, broker, tmp_path, **kwargs))
        return made[-1]

    yield factory
    for stack in made:
        stack.close()
        forget_queue(str(stack.settings.redis_url), stack.options.queue)


@pytest.fixture
def stack(stack_factory, shared_redis) -> Stack:
    return stack_factory(shared_redis)
