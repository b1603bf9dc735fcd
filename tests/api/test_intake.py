"""The accept-event use case without Flask (as the CLI uses it), and its purity."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from pipeline.errors import EventConflict, EventRejected
from pipeline.intake import Caller, NotAccredited, TooManyEvents, accept_csv, accept_documents, accept_event
from pipeline.outcomes import load_event_resource
from pipeline.store.api_keys import Scope
from pipeline.store.models import Event, Provider

from .conftest import FRAMEWORK, PUBLIC, count_rows, native, stored_nothing
from .test_bulk import ANA, csv_rows

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def caller(services, make_key) -> Caller:
    provider_id, _key = make_key()
    return Caller(provider_id=provider_id, scopes=(Scope(FRAMEWORK),))


@pytest.mark.parametrize("module", ["pipeline/intake.py", "pipeline/outcomes.py"])
def test_use_case_modules_do_not_import_flask(module):
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [n for n in names if n.split(".")[0] in {"flask", "werkzeug", "celery"} or n.startswith("pipeline.api")]


def test_accept_event_then_replay_then_conflict(services, caller, dispatcher):
    body = json.dumps(native()).encode()
    first = accept_event(services, caller, body)
    assert first.created and first.event.state == "received"
    assert dispatcher.sent == [first.event.id] and dispatcher.states_seen == ["received"]
    again = accept_event(services, caller, body)
    assert not again.created and again.event.id == first.event.id and len(dispatcher.sent) == 1
    with pytest.raises(EventConflict):
        accept_event(services, caller, json.dumps(native(occurred_at="2026-11-20T15:00:00Z")).encode())
    with services.sessions() as session:
        resource = load_event_resource(session, first.event, public_url=PUBLIC)
    assert resource == {"id": first.event.id, "url": f"{PUBLIC}/api/v1/events/{first.event.id}",
                        "event_id": "lms-42-attempt-7", "state": "received", "outcome": None}


def test_refusals_raise_and_store_nothing(services, caller):
    with pytest.raises(EventRejected) as rejected:
        accept_event(services, caller, b"[")
    assert rejected.value.code == "malformed_json"
    narrow = Caller(provider_id=caller.provider_id, scopes=(Scope(FRAMEWORK, "v.00.00"),))
    with pytest.raises(NotAccredited):
        accept_event(services, narrow, json.dumps(native()).encode())
    assert stored_nothing(services)


def test_documents_and_csv_limits(services, caller):
    outcomes = accept_documents(services, caller, [native(), {"bad": 1}])
    assert outcomes[0].accepted is not None and outcomes[1].error.code == "unsupported_format"
    many = csv_rows(*(f"e-{i},{ANA},P01,0.9," for i in range(services.settings.max_batch_events + 1)))
    with pytest.raises(TooManyEvents):
        accept_csv(services, caller, many)
    assert count_rows(services, Event) == 1 and count_rows(services, Provider) == 1
