"""docker-compose.yml, run without Docker: its services' commands with its environment, pointed
at this machine's PostgreSQL and Redis instead of the `postgres` and `redis` containers.

Docker does not run here, so this is how the production configuration is exercised: `init`
once, then `web`, `worker` and `sweeper` as separate processes, sharing nothing but the store,
the broker and the key file, exactly as in the compose file.
"""

from __future__ import annotations

import json
import re
import os
import subprocess
import sys
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pytest
import redis
import yaml

from issuer.dids import resolve_did_key
from issuer.verify import verify_credential
from pipeline.embedded_redis import free_port
from tests.pipeline.test_runner import get_json, post_json, wait_for, whole_level_event

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
BADGELINE = [sys.executable, "-m", "pipeline.cli"]
TEST_REDIS = "redis://127.0.0.1:6379/14"


def compose_env() -> dict[str, str]:
    """The shared `x-badgeline-env` block with `${VAR:-default}` resolved to its default."""
    return {k: re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(v)) for k, v in COMPOSE["x-badgeline-env"].items()}


def command(service: str) -> list[str]:
    return list(COMPOSE["services"][service]["command"])


def test_compose_shape():
    services = COMPOSE["services"]
    assert {"redis", "postgres", "init", "web", "worker", "sweeper"} <= set(services)
    for name in ("web", "worker", "sweeper"):
        assert services[name]["depends_on"]["init"]["condition"] == "service_completed_successfully"
    assert "keys:/keys" in services["init"]["volumes"]
    assert all("keys" not in volume for volume in services["web"]["volumes"])  # the web never sees the key
    assert "keys:/keys:ro" in services["worker"]["volumes"]
    assert "--no-beat" in command("worker") and "--beat" in command("sweeper")  # one sweeper, any number of workers
    env = compose_env()
    assert env["BADGELINE_KEY_FILE"].startswith("/keys/") and env["BADGELINE_DATABASE_URL"].startswith("postgresql")
    raw = COMPOSE["x-badgeline-env"]  # workers on other hosts point at this host's store and broker (docs/scaling.md)
    assert raw["BADGELINE_DATABASE_URL"].startswith("${BADGELINE_DATABASE_URL:-postgresql")
    assert raw["BADGELINE_REDIS_URL"].startswith("${BADGELINE_REDIS_URL:-redis://")


@pytest.fixture
def local_env(tmp_path, db_url) -> dict[str, str]:
    """The compose environment with the containers' addresses replaced by this machine's services."""
    client = redis.Redis.from_url(TEST_REDIS)
    client.flushdb()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BADGELINE_")}
    env.update(compose_env())
    port = free_port()
    env.update({
        "BADGELINE_DATABASE_URL": db_url,
        "BADGELINE_REDIS_URL": TEST_REDIS,
        "BADGELINE_DATA_DIR": str(tmp_path / "data"),
        "BADGELINE_KEY_FILE": str(tmp_path / "keys" / "issuer-key.pem"),
        "BADGELINE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "BADGELINE_CELERY_QUEUE": f"compose-{port}",
        "COMPOSE_TEST_PORT": str(port),
    })
    yield env
    client.flushdb()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # the compose file's store
def test_compose_services_issue_a_credential(local_env):
    port = local_env["COMPOSE_TEST_PORT"]
    subprocess.run([*BADGELINE, *command("init")], env=local_env, check=True, capture_output=True, timeout=120)
    web_cmd = [a if a not in ("0.0.0.0", "8000") else {"0.0.0.0": "127.0.0.1", "8000": port}[a] for a in command("web")]
    processes = [subprocess.Popen([*BADGELINE, *args], env=local_env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
                 for args in (web_cmd, command("worker"), command("sweeper"))]
    try:
        base = local_env["BADGELINE_PUBLIC_URL"]
        wait_for(lambda: get_json(f"{base}/healthz"), 60, "web /healthz")
        key = json.loads(subprocess.run(
            [*BADGELINE, "providers", "add", "Compose College", "--frameworks", "29-2052.00", "--json"],
            env=local_env, check=True, capture_output=True, text=True).stdout)["key"]
        status, event = post_json(f"{base}/api/v1/events", key, whole_level_event("compose-1"))
        assert status == 202
        done = wait_for(lambda: (r := get_json(event["url"], key)) and r["state"] == "processed" and r, 60,
                        "the worker to process the event")
        [credential] = done["outcome"]["credentials"]
        document = get_json(credential["url"], key)
        status_url = document["credentialStatus"]["statusListCredential"]
        assert urllib.request.urlopen(status_url, timeout=5).status == 200  # signed by a worker, served by the web
        report = verify_credential(document, resolve_key=resolve_did_key, now=datetime.now(timezone.utc))
        assert report.verified, report.as_dict()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
    assert all(p.returncode is not None for p in processes)
