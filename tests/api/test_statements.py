"""Issue 12, intake round trips on PostgreSQL: one event costs one statement for the API key and
one for the insert, each its own transaction (AUTOCOMMIT: no BEGIN and COMMIT round trips);
several events of one request are inserted in one transaction (all of them or none).
On SQLite (local, no round trips) every write keeps its BEGIN IMMEDIATE transaction."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event

from .conftest import bearer, native


@pytest.fixture
def statements(services):
    """(first words of each SQL statement, whether its connection was in autocommit), as run."""
    seen: list[tuple[str, bool]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        dbapi = conn.connection.dbapi_connection
        autocommit = bool(getattr(dbapi, "autocommit", False)) if conn.dialect.name == "postgresql" else False
        seen.append((" ".join(statement.split()[:3]).upper(), autocommit))

    event.listen(services.engine, "before_cursor_execute", record)
    yield seen
    event.remove(services.engine, "before_cursor_execute", record)


def _on(seen, prefix):
    return [autocommit for text, autocommit in seen if text.startswith(prefix)]


def test_one_event_is_a_key_lookup_and_an_insert_without_a_transaction_around_them(client, key, statements,
                                                                                     services):
    response = client.post("/api/v1/events", data=json.dumps(native()), headers=bearer(key),
                           content_type="application/json")
    assert response.status_code == 202
    postgres = services.engine.dialect.name == "postgresql"
    assert _on(statements, "SELECT API_KEYS.ID") == [postgres]
    assert _on(statements, "INSERT INTO EVENTS") == [postgres]
    replay = client.post("/api/v1/events", data=json.dumps(native()), headers=bearer(key),
                         content_type="application/json")
    assert replay.status_code == 200


def test_a_batch_is_inserted_in_one_transaction(client, key, statements):
    events = [native(event_id="one"), native(event_id="two")]
    response = client.post("/api/v1/events:batch", data=json.dumps({"events": events}), headers=bearer(key),
                           content_type="application/json")
    assert response.status_code == 200
    assert [r["status"] for r in response.get_json()["results"]] == [202, 202]
    assert _on(statements, "INSERT INTO EVENTS") == [False]
