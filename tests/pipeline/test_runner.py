"""`badgeline up` and `badgeline demo` as a person runs them: real processes, embedded Redis,
SQLite, a real worker; stopped by SIGTERM or SIGINT they leave no process behind, and if the
parent is killed outright its children die with it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from pipeline.embedded_redis import free_port
from tests.processes import proc_stats, wait_for

BADGELINE = [sys.executable, "-m", "pipeline.cli"]


def clean_env(data_dir: Path) -> dict[str, str]:
    """The environment of a new shell: no BADGELINE_* of ours, only the data directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BADGELINE_")}
    env["BADGELINE_DATA_DIR"] = str(data_dir)
    return env


def processes_of(data_dir: Path) -> list[int]:
    """PIDs of live processes started for `data_dir` (by environment or by command line)."""
    marker = str(data_dir).encode()
    found = []
    for pid, fields in proc_stats():
        if pid == os.getpid() or fields[0] == "Z":  # a zombie is dead; its parent has not reaped it yet
            continue
        try:
            proc = Path("/proc") / str(pid)
            if marker in (proc / "cmdline").read_bytes() or marker in (proc / "environ").read_bytes():
                found.append(pid)
        except OSError:
            continue
    return found


def get_json(url: str, key: str | None = None) -> dict | None:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"} if key else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.load(response)
    except OSError:
        return None


def post_json(url: str, key: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.load(response)


def whole_level_event(event_id: str) -> dict:
    when = (datetime.now(timezone.utc) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"event_id": event_id, "type": "assessment.completed", "occurred_at": when,
            "learner": {"email": "runner@example.org", "name": "Runner Test"},
            "framework": {"id": "29-2052.00", "version": "v.26.05"},
            "assessment": {"id": "exam", "name": "Exam"}, "level": "developing", "score": 0.9}


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


def start_up(data_dir: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen([*BADGELINE, "up", "--port", str(port), "--workers", "1"], env=clean_env(data_dir),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def add_provider(data_dir: Path) -> str:
    out = subprocess.run([*BADGELINE, "providers", "add", "Runner College", "--frameworks", "29-2052.00", "--json"],
                         env=clean_env(data_dir), capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["key"]


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_up_serves_issues_and_stops_cleanly(data_dir, stop_signal):
    key = add_provider(data_dir)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    up = start_up(data_dir, port)
    try:
        # "ok" once the database, the broker and a live worker answer (a worker's first heartbeat
        # may come a moment after the web process): `up` itself waits for the same before it returns.
        health = wait_for(lambda: (h := get_json(f"{base}/healthz")) and h["status"] == "ok" and h, 90, "/healthz ok")
        assert health["checks"] == {"database": True, "broker": True, "workers": True}
        status, event = post_json(f"{base}/api/v1/events", key, whole_level_event("runner-1"))
        assert status == 202
        done = wait_for(lambda: (r := get_json(event["url"], key)) and r["state"] == "processed" and r, 60,
                        "the event to be processed")
        assert done["outcome"]["levels"] == ["developing"]
        [credential] = done["outcome"]["credentials"]
        document = get_json(credential["url"], key)
        assert document["credentialSubject"]["achievement"]["version"] == "v.26.05"
        # the same port serves the verifier and the published framework pages
        page = urllib.request.urlopen(f"{base}/", timeout=5).read().decode()
        assert "<form" in page
        assert urllib.request.urlopen(f"{base}/frameworks/29-2052.00/v.26.05.json", timeout=5).status == 200
        assert processes_of(data_dir), "up should have children while running"
    finally:
        up.send_signal(stop_signal)
        output, _ = up.communicate(timeout=60)
    assert up.returncode == 0, output
    assert "badgeline is up" in output and "stopped." in output
    assert f"{base}/api/v1/events" in output
    wait_for(lambda: not processes_of(data_dir), 20, "every child process to exit")


@pytest.mark.slow
def test_children_die_with_a_killed_parent(data_dir):
    port = free_port()
    up = start_up(data_dir, port)
    try:
        wait_for(lambda: get_json(f"http://127.0.0.1:{port}/healthz"), 90, "/healthz")
        # redis-server, the celery worker (and its pool), waitress: all up shortly after /healthz
        wait_for(lambda: len([p for p in processes_of(data_dir) if p != up.pid]) >= 3, 30, "three children")
    finally:
        up.kill()
        up.wait(10)
    wait_for(lambda: not processes_of(data_dir), 30, "orphaned children to exit")


@pytest.mark.slow
def test_demo_runs_the_main_job_end_to_end(data_dir):
    result = subprocess.run([*BADGELINE, "demo"], env=clean_env(data_dir), capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "422  Invalid: unknown statement Z99" in out
    assert "200  Duplicate of north-101" in out
    for learner, level in [("Ana Diaz", "Emerging"), ("Ana Diaz", "Proficient"), ("Ben Okafor", "Developing"),
                           ("Chen Wei", "Advanced")]:
        assert any(line.startswith(learner) and level in line for line in out.splitlines()), (learner, level)
    assert not any(line.startswith("Ben Okafor") and "Proficient" in line for line in out.splitlines())
    assert "4 credential(s) issued by this run, 4 in all" in out
    written = sorted((data_dir / "demo" / "credentials").glob("*.json"))
    assert len(written) == 4
    for path in written:
        check = subprocess.run([*BADGELINE, "verify", str(path)], env=clean_env(data_dir), capture_output=True,
                               text=True)
        # `verify` runs the web verifier's checks: the demo's status lists were served over plain http
        # on a port that is closed now, so revocation cannot be checked, and that is not "verified".
        assert check.returncode == 1, check.stdout
        lines = check.stdout.splitlines()
        assert lines[0] == "COULD NOT FULLY CHECK", check.stdout
        marks = {line.split()[1]: line.split()[0] for line in lines[1:] if line.startswith("  ") and line[2] != " "}
        assert marks.pop("status") == "UNCHECKED" and set(marks.values()) == {"PASS"}, check.stdout
    # The demo checked one credential with the running verifier, and its last line prints a command
    # that works as printed from a shell whose venv is not activated (offline: status unchecked).
    assert re.search(r"checked by the running verifier: .*: VERIFIED", out), out
    [printed] = [line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("check one:")]
    shell_env = clean_env(data_dir)
    shell_env["PATH"] = os.pathsep.join(p for p in shell_env.get("PATH", "").split(os.pathsep)
                                        if Path(p).resolve() != Path(sys.executable).parent.resolve())
    check = subprocess.run(printed, shell=True, env=shell_env, capture_output=True, text=True)
    assert check.stdout.startswith("COULD NOT FULLY CHECK"), (printed, check.stdout, check.stderr)
    assert not processes_of(data_dir)
