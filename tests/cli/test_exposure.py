"""Issue 10, finding 9: each process holds only its secrets, and the data folder is owner-only.

Real `badgeline` processes: `init` creates the store and key under umask 022 (as a shell would
start it) and everything it makes is 0600 in a 0700 folder (a folder made earlier is
tightened); `badgeline web` and `badgeline worker` exec their servers with environments read
back from /proc: the web process has the API-key pepper but not the key passphrase, the
worker the passphrase but not the pepper. On main all of them held both, and files were 0644."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.processes import wait_for

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {"BADGELINE_KEY_PASSPHRASE": "test passphrase", "BADGELINE_API_KEY_PEPPER": "test pepper"}


def badgeline_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BADGELINE_")}
    return {**env, **SECRETS, "BADGELINE_DATA_DIR": str(data_dir), "BADGELINE_REDIS_URL": "redis://127.0.0.1:6379/15",
            "BADGELINE_CELERY_QUEUE": f"exposure-{uuid.uuid4().hex}"}


def run_badgeline(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, preexec_fn=lambda: os.umask(0o022))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_makes_the_data_folder_owner_only(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    (data / "notes.txt").write_text("made before")
    (data / "notes.txt").chmod(0o644)
    done = run_badgeline("init", env=badgeline_env(data))
    assert done.returncode == 0, done.stderr
    assert mode(data) == 0o700
    made = [p for p in data.iterdir() if p.is_file()]
    assert {p.name for p in made} >= {"badgeline.sqlite3", "issuer-key.pem", "notes.txt"}
    assert {p.name: oct(mode(p)) for p in made} == {p.name: oct(0o600) for p in made}


def environ_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item)


@pytest.mark.parametrize("role, argv, has, lacks", [
    ("web", ["web", "--port", "0"], "BADGELINE_API_KEY_PEPPER", "BADGELINE_KEY_PASSPHRASE"),
    ("worker", ["worker", "--concurrency", "1", "--no-beat"], "BADGELINE_KEY_PASSPHRASE", "BADGELINE_API_KEY_PEPPER"),
])
def test_each_process_gets_only_its_secrets(tmp_path, role, argv, has, lacks):
    env = badgeline_env(tmp_path / "data")
    assert run_badgeline("init", env=env).returncode == 0
    process = subprocess.Popen([sys.executable, "-m", "pipeline.cli", *argv], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        # after execve the command line is the server's (waitress guard / celery), not the CLI's
        server = "waitress" if role == "web" else "celery"
        wait_for(lambda: server in Path(f"/proc/{process.pid}/cmdline").read_text(errors="replace"), 60,
                 f"the {role} process to exec its server")
        seen = environ_of(process.pid)
        assert seen.get(has) == SECRETS[has]
        assert lacks not in seen
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
