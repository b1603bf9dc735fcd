"""Publish fixtures: the real web app (`create_app`, no verifier mounted) over a migrated store.

`published(issuer_did=None)` builds settings, services and a Flask test client on the
parametrized database (`db_url`: SQLite and PostgreSQL, tests/db_fixtures.py). Framework pages
do not depend on the store, so `pages` is one SQLite-backed client per module.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from issuer.frameworks import FrameworkRegistry, FrameworkUrls
from pipeline.events import EventContext, parse_event
from pipeline.services import Services, build_services
from pipeline.settings import Settings
from pipeline.store import migrate
from pipeline.store.event_log import record_event
from pipeline.store.models import Provider
from pipeline.web import create_app

PUBLIC = "https://badges.example.org"
NOW = datetime(2026, 11, 20, 16, 0, tzinfo=timezone.utc)
REGISTRY = FrameworkRegistry.bundled()
FW = REGISTRY.get("29-2052.00", "v.26.05")
URLS = FrameworkUrls(PUBLIC)


@dataclass
class Published:
    settings: Settings
    services: Services
    client: FlaskClient

    def get(self, url: str, accept: str | None = None):
        """GET a public URL (or a path) from the app."""
        path = url.removeprefix(PUBLIC) or "/"
        return self.client.get(path, headers={"Accept": accept} if accept else {})

    def get_json(self, url: str, accept: str = "application/json") -> Any:
        response = self.get(url, accept)
        assert response.status_code == 200, (url, response.status_code)
        return json.loads(response.data)


def make_published(db_url: str, data_dir: Path, **values: Any) -> Published:
    settings = Settings.explicit(database_url=db_url, data_dir=data_dir, public_url=PUBLIC, **values)
    services = build_services(settings, clock=lambda: NOW)
    migrate(services.engine)
    app = create_app(settings, services=services, mount_verifier=False)
    return Published(settings, services, app.test_client())


@pytest.fixture
def published(db_url, tmp_path) -> Iterator[Callable[..., Published]]:
    made: list[Published] = []

    def _make(**values: Any) -> Published:
        made.append(make_published(db_url, tmp_path / f"data{len(made)}", **values))
        return made[-1]

    yield _make
    for item in made:
        item.services.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> Iterator[Published]:
    folder = tmp_path_factory.mktemp("pages")
    item = make_published(f"sqlite:///{folder / 'store.sqlite3'}", folder / "data")
    yield item
    item.services.close()


def whole_level_event(event_id: str, level: str, *, email: str = "ana@example.org") -> dict[str, Any]:
    return {"event_id": event_id, "type": "assessment.completed", "occurred_at": "2026-11-20T09:00:00Z",
            "learner": {"email": email, "name": "Ana Diaz"},
            "framework": {"id": FW.code, "version": FW.version},
            "assessment": {"id": "final-exam", "name": "Final examination",
                           "url": "https://lms.example.org/assessments/final-exam"},
            "level": level, "score": 0.93, "passed": True}


def record(services: Services, doc: dict[str, Any]) -> str:
    """Store a provider and an accepted event, as the provider API would."""
    parsed = parse_event(doc, EventContext(frameworks=REGISTRY, public_url=PUBLIC, now=NOW))
    with services.sessions.begin() as s:
        provider = Provider(name="Northside College", url="https://northside.example.org", created_at=NOW)
        s.add(provider)
        s.flush()
        return record_event(s, provider_id=provider.id, provider_event_id=doc["event_id"],
                            raw_payload=json.dumps(doc, sort_keys=True).encode(), source_format="native",
                            parsed=parsed.to_json(), now=NOW).event.id


def public_urls(document: Any) -> set[str]:
    """Every URL under our public base that a document mentions (fragments dropped)."""
    found: set[str] = set()
    if isinstance(document, dict):
        for value in document.values():
            found |= public_urls(value)
    elif isinstance(document, list):
        for value in document:
            found |= public_urls(value)
    elif isinstance(document, str) and document.startswith(PUBLIC + "/"):
        found.add(document.partition("#")[0])
    return found
