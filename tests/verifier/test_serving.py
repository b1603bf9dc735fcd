"""The verifier run on its own (`python -m verifier`, what `badgeline verifier` execs): one process,
or several sharing the port, restarted when one dies, all stopped by SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from issuer.cryptosuites import add_proof
from issuer.keys import did_key_signer
from tests.processes import alive, children_of, wait_for
from tests.verifier.fixtures.generate import CREATED, OTHER, _credential

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def verify(port: int) -> tuple[int, dict]:
    credential = _credential(issuer=OTHER.did_key)
    del credential["credentialStatus"]
    body = json.dumps({"verifiableCredential": add_proof(credential, signer=did_key_signer(OTHER), created=CREATED)})
    request = urllib.request.Request(f"http://127.0.0.1:{port}/credentials/verify", data=body.encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def start_verifier():
    started: list[subprocess.Popen] = []

    def start(processes: int) -> tuple[subprocess.Popen, int]:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("BADGELINE_")}
        process = subprocess.Popen([sys.executable, "-m", "verifier", "--port", str(port), "--processes",
                                    str(processes)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, start_new_session=True)
        started.append(process)
        wait_for(lambda: healthy(port) or process.poll() is not None, 30, "the verifier to answer")
        assert process.poll() is None, process.stderr.read().decode(errors="replace")
        return process, port

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def test_one_process_verifies_and_stops_on_sigterm(start_verifier):
    process, port = start_verifier(1)
    status, body = verify(port)
    assert status == 200 and body["verified"] is True
    process.send_signal(signal.SIGTERM)
    assert process.wait(15) == -signal.SIGTERM


def test_processes_share_the_port_come_back_and_stop_together(start_verifier):
    process, port = start_verifier(2)
    first = wait_for(lambda: (c := children_of(process.pid)) and len(c) == 2 and c, 30, "two verifier processes")
    assert all(verify(port)[0] == 200 for _ in range(6))

    victim = sorted(first)[0]
    os.kill(victim, signal.SIGKILL)
    second = wait_for(lambda: (c := children_of(process.pid)) and len(c) == 2 and victim not in c and c, 30,
                      "a new process in place of the killed one")
    assert len(second & first) == 1  # the other one kept running
    assert verify(port)[0] == 200

    process.send_signal(signal.SIGTERM)
    assert process.wait(15) == 0
    wait_for(lambda: not any(alive(pid) for pid in second), 30, "every verifier process to be gone")
