"""Issue 10, "Operations": with `BADGELINE_LOG_FORMAT=json` a real Celery worker writes one JSON
object per log line, and the lines of an event's processing carry its event id and the ids of
the credentials it issued."""

from __future__ import annotations

import json

from tests.processes import wait_for

from .conftest import codes, native


def json_lines(text: str) -> list[dict]:
    found = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                found.append(json.loads(line))
            except ValueError:
                continue
    return found


def test_a_worker_logs_json_with_event_and_credential_ids(stack):
    worker = stack.worker(BADGELINE_LOG_FORMAT="json")
    provider = stack.store.provider("Acme")
    event_id = stack.store.record(provider, native("json-1", statements=codes("developing", range(1, 11))))
    stack.dispatcher().send_process_event(event_id)
    [event] = stack.store.wait_final([event_id])
    assert event.state == "processed"
    [credential] = stack.store.credentials_of(event_id)
    # The event's last line is written after its transaction commits: wait for it, not only for the row.
    wait_for(lambda: any(line.get("event_id") == event_id and line.get("credential_ids")
                         for line in json_lines(worker.log())), 20, "the event's final log line")
    lines = json_lines(worker.log())
    assert lines and all({"ts", "level", "logger", "message"} <= line.keys() for line in lines)
    done = [line for line in lines if line.get("event_id") == event_id and line.get("credential_ids")]
    assert done and done[-1]["credential_ids"] == [credential.id], lines[-5:]
