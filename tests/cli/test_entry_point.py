"""The installed `badgeline` console script, as a real process: key, issue, verify, tamper."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

_NEXT_TO_PYTHON = Path(sys.executable).parent / "badgeline"
BADGELINE = _NEXT_TO_PYTHON if _NEXT_TO_PYTHON.exists() else Path(shutil.which("badgeline") or _NEXT_TO_PYTHON)


def badgeline(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BADGELINE_")}
    return subprocess.run([str(BADGELINE), *args], cwd=cwd, env={**env, "KEY_PW": "pw"}, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.skipif(not BADGELINE.exists(), reason="the badgeline entry point is not installed in this environment")
def test_generate_issue_verify_tamper(tmp_path):
    generated = badgeline("keys", "generate", "--out", "k.pem", "--passphrase-env", "KEY_PW", cwd=tmp_path)
    assert generated.returncode == 0, generated.stderr
    assert stat.S_IMODE((tmp_path / "k.pem").stat().st_mode) == 0o600
    did = generated.stdout.split("did:key  ")[1].strip()

    issued = badgeline("issue", "--framework", "29-2052.00", "--version", "v.26.05", "--level", "advanced",
                       "--learner-email", "ana@example.org", "--learner-name", "Ana Diaz", "--key", "k.pem",
                       "--passphrase-env", "KEY_PW", "--out", "ana.json", cwd=tmp_path)
    assert issued.returncode == 0, issued.stderr
    credential = json.loads((tmp_path / "ana.json").read_text(encoding="utf-8"))
    assert credential["issuer"]["id"] == did

    verified = badgeline("verify", "ana.json", "--json", cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout
    assert json.loads(verified.stdout)["verified"] is True

    credential["validFrom"] = "2020-01-01T00:00:00Z"
    (tmp_path / "tampered.json").write_text(json.dumps(credential), encoding="utf-8")
    tampered = badgeline("verify", "tampered.json", cwd=tmp_path)
    assert tampered.returncode == 1
    assert tampered.stdout.startswith("NOT VERIFIED")
