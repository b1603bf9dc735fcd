"""Worker liveness, so the web's health endpoints (and operators) can tell whether anything will
process the events they accept.

Each Celery worker's main process keeps one key in the broker's Redis,
`badgeline:worker:{queue}:{hostname}`, rewritten every `INTERVAL_S` with a `TTL_S` expiry and
deleted when the worker stops. A key that is present means a worker on that queue was alive
within the last `TTL_S` seconds; a SIGKILLed worker disappears when its key expires.
Steps: the `Heartbeat` bootstep starts a daemon thread with the worker's consumer and stops it
with the consumer; `live_workers` lists the keys of one queue. It is a *consumer* step on
purpose: consumer steps start after the worker has forked its pool and its embedded beat, so no
child is forked while this thread holds a lock (a thread started earlier, as a worker step, left
the embedded beat process stuck before it sent any due task).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from typing import Any

import redis
from celery import bootsteps

PREFIX = "badgeline:worker"
TTL_S = 15
INTERVAL_S = 5

log = logging.getLogger(__name__)


def worker_key(queue: str, hostname: str) -> str:
    return f"{PREFIX}:{queue}:{hostname}"


class Heartbeat(bootsteps.StartStopStep):
    """Keeps this worker's liveness key fresh while its consumer runs (a consumer step)."""

    def __init__(self, consumer: Any, **kwargs: Any) -> None:
        super().__init__(consumer, **kwargs)
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.client: redis.Redis | None = None
        self.key = ""

    def start(self, consumer: Any) -> None:
        conf = consumer.app.conf
        self.stopping = threading.Event()
        self.client = redis.Redis.from_url(conf.broker_url, socket_timeout=2, socket_connect_timeout=2)
        self.key = worker_key(conf.task_default_queue, consumer.hostname)
        started = time.time()
        self.thread = threading.Thread(target=self._beat, args=(started,), name="badgeline-heartbeat", daemon=True)
        self.thread.start()

    def _beat(self, started: float) -> None:
        while not self.stopping.is_set():
            value = json.dumps({"pid": os.getpid(), "started_at": started, "seen_at": time.time()})
            try:
                self.client.set(self.key, value, ex=TTL_S)
            except redis.RedisError as error:  # the broker is down: the key expires; nothing else to do
                log.warning("worker heartbeat not written: %s", error)
            self.stopping.wait(INTERVAL_S)

    def stop(self, consumer: Any) -> None:
        self.stopping.set()
        if self.client is not None:
            try:
                self.client.delete(self.key)
            except redis.RedisError:
                pass


def live_workers(client: redis.Redis, queue: str) -> list[dict[str, Any]]:
    """The workers of `queue` seen within the last `TTL_S` seconds: `{"name", "pid", "seen_at"}`."""
    found = []
    for key in client.scan_iter(match=worker_key(queue, "*"), count=100):
        raw = client.get(key)
        if raw is None:
            continue
        name = key.decode().split(":", 3)[3]
        data = json.loads(raw)
        found.append({"name": name, "pid": data.get("pid"), "seen_at": data.get("seen_at")})
    return sorted(found, key=lambda w: w["name"])
