"""`badgeline up` as a person runs it, for tests that need the whole service over real HTTP:
a subprocess with its own data folder (and optionally a PostgreSQL store or a did:web issuer),
a provider, events posted through the API, credentials read back, and the URLs they cite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from tests.processes import wait_for

BADGELINE = [sys.executable, "-m", "pipeline.cli"]


def local_did_web(port: int) -> str:
    """The did:web of a service at http://127.0.0.1:port (document at /.well-known/did.json)."""
    return f"did:web:127.0.0.1%3A{port}"


def fetch(url: str, accept: str = "application/json", key: str | None = None) -> tuple[int, str, bytes]:
    """(status, content type, body) of a GET; HTTP errors are answers, not exceptions."""
    headers = {"Accept": accept, **({"Authorization": f"Bearer {key}"} if key else {})}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def send(url: str, body: Any, key: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {key}"} if key else {})}
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def level_event(event_id: str, email: str, level: str = "developing") -> dict[str, Any]:
    when = (datetime.now(timezone.utc) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"event_id": event_id, "type": "assessment.completed", "occurred_at": when,
            "learner": {"email": email, "name": email.split("@")[0].title()},
            "framework": {"id": "29-2052.00", "version": "v.26.05"},
            "assessment": {"id": "exam", "name": "Exam"}, "level": level, "score": 0.9}


@dataclass
class Service:
    """One data folder (and store) that `badgeline` commands and `up` runs share."""

    data_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    up: subprocess.Popen | None = None
    port: int | None = None
    key: str | None = None

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BADGELINE_")}
        env.update({"BADGELINE_DATA_DIR": str(self.data_dir), **self.extra_env, **extra})
        return env

    def run(self, *args: str, check: bool = True, **extra: str) -> subprocess.CompletedProcess:
        done = subprocess.run([*BADGELINE, *args], env=self.env(**extra), capture_output=True, text=True,
                              timeout=300)
        if check:
            assert done.returncode == 0, done.stdout + done.stderr
        return done

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_provider(self) -> str:
        out = self.run("providers", "add", "URL College", "--frameworks", "29-2052.00", "--json")
        self.key = json.loads(out.stdout)["key"]
        return self.key

    def start(self, port: int, **extra: str) -> subprocess.Popen:
        """`badgeline up --port PORT` (public URL http://127.0.0.1:PORT unless given); waits for /healthz."""
        self.port = port
        self.up = subprocess.Popen([*BADGELINE, "up", "--port", str(port), "--workers", "1"], env=self.env(**extra),
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

        def healthy() -> bool:
            if self.up.poll() is not None:
                raise AssertionError(f"up exited {self.up.returncode}:\n{self.up.stdout.read()}")
            return fetch(f"{self.base}/healthz")[0] == 200 if self._listening() else False

        wait_for(healthy, 90, "/healthz")
        return self.up

    def _listening(self) -> bool:
        try:
            urllib.request.urlopen(f"{self.base}/healthz", timeout=2).close()
            return True
        except OSError:
            return False

    def stop(self) -> str:
        """SIGTERM, then the output of `up`."""
        if self.up is None:
            return ""
        self.up.terminate()
        output, _ = self.up.communicate(timeout=60)
        self.up = None
        return output

    def issue(self, event_id: str, email: str, level: str = "developing") -> dict[str, Any]:
        """Post one whole-level event, wait until processed, return the credential document."""
        status, event = send(f"{self.base}/api/v1/events", level_event(event_id, email, level), self.key)
        assert status == 202, event

        def processed() -> dict | None:
            code, _, body = fetch(event["url"], key=self.key)
            resource = json.loads(body) if code == 200 else {}
            return resource if resource.get("state") in ("processed", "rejected") else None

        done = wait_for(processed, 60, f"event {event_id} to be processed")
        assert done["state"] == "processed", done
        [credential] = done["outcome"]["credentials"]
        code, _, body = fetch(credential["url"], key=self.key)
        assert code == 200
        return json.loads(body)

    def verify(self, credential: dict[str, Any]) -> dict[str, Any]:
        """Our verifier's VC API answer (the one `up` serves on the same port)."""
        return send(f"{self.base}/credentials/verify", {"verifiableCredential": credential})[1]


def cited_urls(document: Any, base: str) -> set[str]:
    """Every URL under `base` that a document mentions anywhere (fragments dropped)."""
    if isinstance(document, dict):
        return set().union(*(cited_urls(v, base) for v in document.values())) if document else set()
    if isinstance(document, list):
        return set().union(*(cited_urls(v, base) for v in document)) if document else set()
    if isinstance(document, str) and (document == base or document.startswith(base + "/")):
        return {document.partition("#")[0]}
    return set()


def checks_of(answer: dict[str, Any]) -> dict[str, str]:
    """{check name: outcome} of a verifier answer."""
    return {c["check"]: c["outcome"] for c in answer.get("checks", [])}


MUST_PASS = {"proof", "issuer", "validity", "status", "framework"}


def fully_verified(answer: dict[str, Any]) -> bool:
    """Every check passed (none failed or could not check), the ones that need our URLs included."""
    outcomes = checks_of(answer)
    return answer.get("verified") is True and MUST_PASS <= set(outcomes) and set(outcomes.values()) == {"pass"}
