"""`/healthz` and `/readyz` with a real Redis and real workers: the broker and live workers are
reported, and readiness names the part that is down."""

from __future__ import annotations

import redis

from pipeline.heartbeat import live_workers
from pipeline.web import create_app
from tests.processes import wait_for


def web_client(stack):
    settings = stack.settings.model_copy(update={"celery_queue": stack.options.queue})
    return create_app(settings, mount_verifier=False).test_client()


def test_ready_only_with_a_live_worker_and_says_what_is_down(stack):
    client = web_client(stack)
    alone = client.get("/readyz")
    assert alone.status_code == 503
    body = alone.get_json()
    assert body["down"] == ["workers"] and body["checks"] == {"database": True, "broker": True, "workers": False}
    assert "no worker is running" in body["workers_hint"]
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["status"] == "degraded"  # alive, not complete

    worker = stack.worker()
    ready = wait_for(lambda: (r := client.get("/readyz")).status_code == 200 and r, 30, "a worker heartbeat")
    assert ready.get_json()["checks"] == {"database": True, "broker": True, "workers": True}
    assert client.get("/healthz").get_json() == {"status": "ok", "checks": {"database": True, "broker": True,
                                                                           "workers": True}}
    client_redis = redis.Redis.from_url(str(stack.settings.redis_url))
    [seen] = live_workers(client_redis, stack.options.queue)
    assert seen["name"].startswith(worker.name)

    worker.stop()  # a clean stop removes its key at once
    assert wait_for(lambda: client.get("/readyz").status_code == 503, 20, "the stopped worker to disappear")


def test_broker_down_is_named(stack_factory, private_redis):
    stack = stack_factory(private_redis.url)
    client = web_client(stack)
    private_redis.stop()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["down"] == ["broker", "workers"] and "does not answer" in body["broker"]
    assert client.get("/healthz").status_code == 200  # the database is up: the process is alive
