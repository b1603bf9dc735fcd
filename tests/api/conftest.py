"""Provider API fixtures: a real store (SQLite file and PostgreSQL: `db_url` from tests/db_fixtures.py),
the real blueprint in a tiny Flask app, real API keys, and an honest in-memory dispatcher.

Every JSON response the test client gets is validated against the served OpenAPI document
(the operation's documented status and schema), so the document cannot drift from the code.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from werkzeug.serving import make_server

from pipeline.api import make_api_blueprint
from pipeline.services import Services, build_services
from pipeline.settings import Settings
from pipeline.store import create_store_engine, migrate, session_factory
from pipeline.store.api_keys import Scope, create_api_key
from pipeline.store.models import Event, Learner, Provider

PUBLIC = "https://badges.example.org"
NOW = datetime(2026, 11, 20, 16, 0, 0, tzinfo=timezone.utc)
PEPPER = "test pepper"
FRAMEWORK = "29-2052.00"
VERSION = "v.26.05"
EVENT_DATA = Path(__file__).resolve().parent.parent / "events" / "data"

NATIVE: dict[str, Any] = {
    "event_id": "lms-42-attempt-7", "type": "assessment.completed", "occurred_at": "2026-11-20T15:04:05Z",
    "learner": {"email": "Ana@Example.org", "name": "Ana Diaz"},
    "framework": {"id": FRAMEWORK, "version": VERSION},
    "assessment": {"id": "quiz-17", "name": "Dispensing workflow", "url": "https://lms.example.org/quiz/17"},
    "results": [{"statement": "P03", "score": 0.92, "passed": True}],
}


def native(**changes: Any) -> dict[str, Any]:
    """A valid native event with top-level fields replaced."""
    return {**copy.deepcopy(NATIVE), **changes}


def event_data(name: str) -> dict[str, Any]:
    return json.loads((EVENT_DATA / name).read_text(encoding="utf-8"))


class Clock:
    """A settable clock (the services read time only through it)."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class RecordingDispatcher:
    """Honest stand-in for the Celery dispatcher (a process boundary): records every id it is
    asked to send, and the event's state as read through its OWN engine and connection at
    that moment (None if the row is not committed yet). `fail` makes sending raise."""

    def __init__(self, engine: Engine):
        self.sessions = session_factory(engine)
        self.sent: list[str] = []
        self.states_seen: list[str | None] = []
        self.published: list[str] = []
        self.messages = 0
        self.fail = False

    def send_process_event(self, event_id: str) -> None:
        self.messages += 1
        with self.sessions() as session:
            self.states_seen.append(session.scalar(select(Event.state).where(Event.id == event_id)))
        if self.fail:
            raise ConnectionError("broker unreachable (test)")
        self.sent.append(event_id)

    def send_publish_status_list(self, list_id: str) -> None:
        if self.fail:
            raise ConnectionError("broker unreachable (test)")
        self.published.append(list_id)

    def send_process_events(self, event_ids: list[str]) -> None:
        """Many events in one message: each id and state recorded (all or none)."""
        self.messages += 1
        with self.sessions() as session:
            self.states_seen += [session.scalar(select(Event.state).where(Event.id == i)) for i in event_ids]
        if self.fail:
            raise ConnectionError("broker unreachable (test)")
        self.sent += event_ids


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    return Settings.explicit(database_url=db_url, public_url=PUBLIC, data_dir=tmp_path, api_key_pepper=PEPPER)


@pytest.fixture
def dispatcher(db_url) -> Iterator[RecordingDispatcher]:
    engine = create_store_engine(db_url)
    yield RecordingDispatcher(engine)
    engine.dispose()


@pytest.fixture
def services(settings, clock, dispatcher) -> Iterator[Services]:
    built = build_services(settings, clock=clock, dispatcher=dispatcher)
    migrate(built.engine)
    yield built
    built.close()


@pytest.fixture
def app(services) -> Flask:
    app = Flask(__name__)
    app.testing = True
    app.register_blueprint(make_api_blueprint(services), url_prefix="/api/v1")
    return app


@pytest.fixture
def client(app) -> ApiClient:
    return ApiClient(app)


@pytest.fixture
def server(app) -> Iterator[int]:
    """The app on a real threaded HTTP server; yields its port."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_port
    httpd.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def make_key(services):
    """`make_key(*scopes, name=None) -> (provider_id, key)`; default scope: the whole framework."""

    def make(*scopes: Scope, name: str | None = None, provider_id: str | None = None) -> tuple[str, str]:
        with services.sessions.begin() as session:
            if provider_id is None:
                provider = Provider(name=name or f"Provider {uuid.uuid4().hex[:8]}", created_at=NOW)
                session.add(provider)
                session.flush()
                provider_id = provider.id
            _row, key = create_api_key(session, provider_id=provider_id, scopes=scopes or [Scope(FRAMEWORK)],
                                       now=NOW, pepper=PEPPER.encode())
        return provider_id, key

    return make


@pytest.fixture
def key(make_key) -> str:
    return make_key()[1]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def count_rows(services: Services, model: Any) -> int:
    with services.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)))


def stored_nothing(services: Services) -> bool:
    return count_rows(services, Event) == 0 and count_rows(services, Learner) == 0


def later(clock: Clock, **delta: float) -> None:
    clock.now = clock.now + timedelta(**delta)


# --- OpenAPI conformance of every response -------------------------------------------------

class OpenApiChecker:
    """Validates a response against the operation the OpenAPI document gives for its request."""

    def __init__(self, document: dict[str, Any]):
        self.document = document
        self.registry = Registry().with_resource("urn:oas", DRAFT202012.create_resource(document))
        self.templates = [(re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"), path)
                          for path in document["paths"]]

    def operation(self, path: str, method: str) -> tuple[str, dict[str, Any]] | None:
        for pattern, template in self.templates:
            if pattern.match(path):
                op = self.document["paths"][template].get(method.lower())
                return (template, op) if op else None
        return None

    def response_spec(self, template: str, method: str, status: int) -> dict[str, Any]:
        responses = self.document["paths"][template][method.lower()]["responses"]
        if str(status) not in responses:
            raise AssertionError(f"{method} {template} answered {status}, which the OpenAPI document does not list")
        spec = responses[str(status)]
        if "$ref" in spec:
            spec = self.document["components"]["responses"][spec["$ref"].rsplit("/", 1)[1]]
        return spec

    def check(self, method: str, path: str, response: Any) -> None:
        body = response.get_json(force=True, silent=True) if response.data else None
        found = self.operation(path, method)
        if found is None:  # undocumented route or method: must still be a problem
            self.validate(body, {"$ref": "urn:oas#/components/schemas/Problem"})
            assert response.mimetype == "application/problem+json"
            return
        template, _op = found
        spec = self.response_spec(template, method, response.status_code)
        content = spec.get("content", {})
        if not content and not response.data:  # a documented empty answer (204)
            return
        if response.mimetype not in content:
            raise AssertionError(f"{method} {template} {response.status_code}: {response.mimetype} not documented")
        self.validate(body, {"$ref": self.pointer_to(template, method, response.status_code, response.mimetype)})

    def pointer_to(self, template: str, method: str, status: int, mimetype: str) -> str:
        escaped = template.replace("~", "~0").replace("/", "~1")
        media = mimetype.replace("/", "~1")
        raw = self.document["paths"][template][method.lower()]["responses"][str(status)]
        if "$ref" in raw:
            return f"urn:oas{raw['$ref']}/content/{media}/schema"
        return f"urn:oas#/paths/{escaped}/{method.lower()}/responses/{status}/content/{media}/schema"

    def validate(self, body: Any, schema: dict[str, Any]) -> None:
        Draft202012Validator(schema, registry=self.registry).validate(body)


class ApiClient:
    """The Flask test client, checking every response against the OpenAPI document."""

    def __init__(self, app: Flask):
        self.flask = app.test_client()
        self.checker = OpenApiChecker(self.flask.get("/api/v1/openapi.json").get_json())

    def open(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.flask.open(path, method=method, **kwargs)
        if path.startswith("/api/v1"):
            self.checker.check(method, path.removeprefix("/api/v1").split("?")[0], response)
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.open("POST", path, **kwargs)
