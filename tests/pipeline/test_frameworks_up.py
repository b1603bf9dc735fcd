"""Issue 14 as a person does it: `badgeline up` running, a new Pharmacy Technician version (TEST
DATA) with its crosswalk and a new occupation added with `badgeline frameworks add` from
another shell, then credentials that cite them, without restarting `up`."""

from __future__ import annotations

import json
import signal
import subprocess
import urllib.request

import pytest

from pipeline.embedded_redis import free_port
from tests.frameworks.testdata import CROSSWALK, PT, PT_V2611, SURG, SURGICAL
from tests.pipeline.test_runner import BADGELINE, clean_env, get_json, post_json, start_up
from tests.processes import wait_for


def cli(data_dir, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*BADGELINE, *args], env=clean_env(data_dir), capture_output=True, text=True, timeout=120)


def level_event(event_id: str, code: str, version: str, level: str) -> dict:
    return {"event_id": event_id, "type": "assessment.completed", "occurred_at": "2026-11-20T09:00:00Z",
            "learner": {"email": "up@example.org", "name": "Up Test"}, "framework": {"id": code, "version": version},
            "assessment": {"id": "exam", "name": "Exam"}, "level": level, "score": 0.9}


@pytest.mark.slow
def test_up_takes_a_new_version_and_occupation_from_the_cli(tmp_path):
    data_dir = tmp_path / "data"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    up = start_up(data_dir, port)
    try:
        wait_for(lambda: get_json(f"{base}/healthz"), 90, "/healthz")
        # PT_V2611's policy file sits beside it and is picked up
        added = cli(data_dir, "frameworks", "add", str(PT_V2611), "--crosswalk", str(CROSSWALK))
        assert added.returncode == 0 and f"{PT}@v.26.11 added" in added.stdout, added.stderr
        assert cli(data_dir, "frameworks", "add", str(SURGICAL)).returncode == 0
        provider = cli(data_dir, "providers", "add", "Up College", "--frameworks", PT, "--frameworks", SURG, "--json")
        assert provider.returncode == 0, provider.stderr
        key = json.loads(provider.stdout)["key"]
        cited = {}
        for event_id, code, version in (("up-1", PT, "v.26.11"), ("up-2", SURG, "v.26.10")):
            status, event = post_json(f"{base}/api/v1/events", key, level_event(event_id, code, version, "developing"))
            assert status == 202
            done = wait_for(lambda: (r := get_json(event["url"], key)) and r["state"] in ("processed", "rejected")
                            and r, 60, "the event to be processed")
            assert done["state"] == "processed", done
            [credential] = done["outcome"]["credentials"]
            document = get_json(credential["url"], key)
            cited[code] = document["credentialSubject"]["achievement"]["id"]
        assert cited == {PT: f"{base}/frameworks/{PT}/v.26.11/achievements/developing",
                         SURG: f"{base}/frameworks/{SURG}/v.26.10/achievements/developing"}
        for achievement in cited.values():  # published by the running web process
            request = urllib.request.Request(achievement, headers={"Accept": "application/json"})
            with urllib.request.urlopen(request, timeout=10) as response:
                assert json.load(response)["id"] == achievement
    finally:
        up.send_signal(signal.SIGTERM)
        output, _ = up.communicate(timeout=60)
    assert up.returncode == 0, output
