"""PostgreSQL connections taken from the pool (issue 12): pinged only after sitting idle, so a busy
process saves a round trip per transaction; a connection whose server side ended is replaced before
use when it was idle, and fails once as a transient error (then the pool is renewed) when it was not."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import exc, text
from sqlalchemy.engine import Engine

from pipeline.store import create_store_engine, is_transient
from tests.db_fixtures import _libpq, postgres_url

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(postgres_available) -> str:
    if postgres_available:
        if os.environ.get("CI"):
            pytest.fail(postgres_available)
        pytest.skip(postgres_available)
    return postgres_url()


def _engine(url: str, idle_s: float) -> Iterator[tuple[Engine, list[int]]]:
    engine = create_store_engine(url, ping_after_idle_s=idle_s)
    pings: list[int] = []
    original = engine.dialect.do_ping

    def counted(dbapi_connection) -> bool:  # a spy: the real ping, counted
        pings.append(1)
        return original(dbapi_connection)

    engine.dialect.do_ping = counted
    try:
        yield engine, pings
    finally:
        engine.dispose()


@pytest.fixture
def quick(pg) -> Iterator[tuple[Engine, list[int]]]:
    yield from _engine(pg, 0.3)


@pytest.fixture
def patient(pg) -> Iterator[tuple[Engine, list[int]]]:
    yield from _engine(pg, 3600)


def backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def terminate(pid: int) -> None:
    with psycopg.connect(_libpq(postgres_url()), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    time.sleep(0.1)


def test_a_connection_given_back_a_moment_ago_is_used_without_a_ping(quick):
    engine, pings = quick
    first = backend_pid(engine)
    for _ in range(5):
        assert backend_pid(engine) == first
    assert pings == []
    time.sleep(0.4)  # idle longer than ping_after_idle_s
    assert backend_pid(engine) == first
    assert pings == [1]


def test_an_idle_connection_whose_server_side_ended_is_replaced_before_use(quick):
    engine, _ = quick
    first = backend_pid(engine)
    terminate(first)
    time.sleep(0.4)
    assert backend_pid(engine) != first  # no error reached the caller


def test_a_busy_connection_whose_server_side_ended_fails_once_as_transient(patient):
    engine, pings = patient
    first = backend_pid(engine)
    terminate(first)
    with pytest.raises(exc.DBAPIError) as raised:
        backend_pid(engine)
    assert is_transient(raised.value)
    assert backend_pid(engine) != first  # the pool was renewed
    assert pings == []
