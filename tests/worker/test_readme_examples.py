"""The README's provider quick start, run as a reader would paste it: every `sh` block of the
section, with `curl`, against a real web server and a real Celery worker on a real Redis.

Only the set-up block (marked `readme-test: setup`: it starts `badgeline up` and makes a key) is
replaced: the test starts the same web app on a free port and makes the key itself.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from pipeline.cli.common import pepper
from pipeline.providers import add_provider
from pipeline.store.api_keys import Scope
from pipeline.store.models import Event
from pipeline.web import create_app
from tests.processes import wait_for

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## A training provider's first hour"
SETUP_MARK = "<!-- readme-test: setup -->"

pytestmark = pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq")


def quick_start_blocks() -> list[str]:
    """The section's `sh` blocks in order, without the set-up block."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(SECTION):]
    section = section[:section.index("\n## ", len(SECTION))]
    blocks = re.findall(r"(<!-- readme-test: setup -->\n)?```sh\n(.*?)```", section, flags=re.S)
    return [body for mark, body in blocks if not mark]


def json_values(text: str) -> list:
    """Every JSON value printed one after another (curl prints answers without separators)."""
    decoder, values, at = json.JSONDecoder(), [], 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        value, at = decoder.raw_decode(text, at)
        values.append(value)
    return values


@pytest.fixture
def served(stack):
    """The web app `badgeline up` runs, on a free port, sending to this test's worker queue."""
    settings = stack.settings.model_copy(update={"celery_queue": stack.options.queue})
    app = create_app(settings, mount_verifier=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with stack.store.sessions.begin() as session:
        key = add_provider(session, name="Northside College", scopes=[Scope("29-2052.00")],
                           now=datetime.now(timezone.utc), pepper=pepper(settings)).key
    yield f"http://127.0.0.1:{server.server_port}", key
    server.shutdown()


def test_every_request_of_the_provider_quick_start_works_as_printed(stack, served, tmp_path):
    base, key = served
    stack.worker()
    blocks = quick_start_blocks()
    assert len(blocks) == 7, "the quick start lost or gained a block: update this test's expectations"

    def settled() -> bool:
        with stack.store.reader() as session:
            return not session.scalars(select(Event.id).where(Event.state.in_(("received", "processing")))).first()

    answers = []
    for block in blocks:
        if "sleep" in block:  # the README waits a moment; here, wait until the worker has really finished
            wait_for(settled, 60, "the worker to finish the events posted so far")
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=tmp_path, capture_output=True,
                              text=True, env={"PATH": "/usr/bin:/bin", "BASE": base, "KEY": key}, timeout=60)
        assert done.returncode == 0, (block, done.stdout, done.stderr)
        values = json_values(done.stdout)
        assert values, block
        problems = [v for v in values if isinstance(v, dict) and str(v.get("type", "")).startswith("urn:badgeline:problem")]
        assert not problems, (block, problems)
        answers.append(values)

    posted, read, xapi, caliper, batch, csv_upload, reads = answers
    assert posted[0]["event_id"] == "lms-42-attempt-7"
    outcome = read[0]["outcome"]
    assert read[0]["state"] == "processed" and [c["level"] for c in outcome["credentials"]] == ["proficient"]
    assert xapi[0]["state"] in ("received", "processing", "processed") and caliper[0]["event_id"].startswith("urn:uuid:")
    assert batch[0]["summary"] == {"accepted": 2, "replayed": 0, "refused": 0}
    assert csv_upload[0]["summary"] == {"accepted": 1, "replayed": 0, "refused": 0}
    learner_list, credential = reads
    assert [c["level"] for c in learner_list["credentials"]] == ["proficient"]
    assert credential["id"] == outcome["credentials"][0]["id"] and "proof" in credential
