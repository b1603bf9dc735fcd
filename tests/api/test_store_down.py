"""Issue 10, "Operations": PostgreSQL down for a while. The web app answers `503` with `Retry-After`
(never a 500) on the provider API, `/healthz` and the published pages, writes nothing half-way,
and serves again once the server is back. The test starts, stops and restarts its own PostgreSQL
(tests/store/own_postgres.py); it is skipped where no PostgreSQL binaries exist."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from pipeline.services import build_services
from pipeline.settings import Settings
from pipeline.store import migrate
from pipeline.store.models import Event
from pipeline.web import create_app
from tests.processes import wait_for
from tests.store.own_postgres import needs_own_postgres, own_postgres  # noqa: F401 - the fixture

from .conftest import PEPPER, PUBLIC, RecordingDispatcher, bearer, native

pytestmark = needs_own_postgres


@pytest.fixture
def stack(own_postgres, tmp_path, clock):
    from pipeline.store import create_store_engine
    from pipeline.store.api_keys import Scope, create_api_key
    from pipeline.store.models import Provider

    from .conftest import FRAMEWORK, NOW

    settings = Settings.explicit(database_url=own_postgres.url, public_url=PUBLIC, data_dir=tmp_path,
                                 api_key_pepper=PEPPER)
    engine = create_store_engine(own_postgres.url)
    services = build_services(settings, clock=clock, dispatcher=RecordingDispatcher(engine))
    migrate(services.engine)
    with services.sessions.begin() as session:
        provider = Provider(name="Acme", created_at=NOW)
        session.add(provider)
        session.flush()
        _row, key = create_api_key(session, provider_id=provider.id, scopes=[Scope(FRAMEWORK)], now=NOW,
                                   pepper=PEPPER.encode())
    client = create_app(settings, services=services, mount_verifier=False).test_client()
    yield client, key, services
    services.close()
    engine.dispose()


def post(client, key, event_id):
    return client.post("/api/v1/events", data=json.dumps(native(event_id=event_id)), headers=bearer(key),
                       content_type="application/json")


def test_postgres_down_is_503_with_retry_after_and_nothing_half_written(own_postgres, stack):
    client, key, services = stack
    first = post(client, key, "before")
    assert first.status_code == 202
    event_url = "/api/v1/events/" + first.get_json()["id"]

    own_postgres.stop()
    answers = {
        "post": post(client, key, "during"),
        "get event": client.get(event_url, headers=bearer(key)),
        "learner": client.get("/api/v1/learners/ana@example.org/credentials", headers=bearer(key)),
        "healthz": client.get("/healthz"),
        "did": client.get("/.well-known/did.json"),
        "status list": client.get("/status/1"),
    }
    for name, response in answers.items():
        assert response.status_code in (503, 404), (name, response.status_code)
        if response.status_code == 503 and name != "healthz":
            assert response.headers.get("Retry-After"), name
    for name in ("post", "get event", "learner", "healthz"):
        assert answers[name].status_code == 503, name

    own_postgres.start()
    wait_for(lambda: post(client, key, "after").status_code in (200, 202), 30, "the API to serve again")
    with services.sessions() as session:
        stored = sorted(session.scalars(select(Event.provider_event_id)))
        assert stored == ["after", "before"]  # "during" was never half-written
        assert session.scalar(select(func.count()).select_from(Event).where(Event.state != "received")) == 0
