"""Database fixtures shared by every suite (store, API, worker): SQLite (a temp file) and PostgreSQL.

PostgreSQL: `BADGELINE_TEST_POSTGRES_URL` or postgresql+psycopg://postgres@127.0.0.1:5432/test.
Each test gets a fresh schema (CREATE SCHEMA + search_path in the URL), dropped afterwards,
so parallel runs of other suites on the same database never collide. When the server is
unreachable the PostgreSQL parameter is skipped with the reason, except under CI (CI=true),
where a missing PostgreSQL is a failure: CI must exercise both stores.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone

import psycopg
import pytest
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from pipeline.store import create_store_engine, migrate, session_factory
from pipeline.store.models import Provider

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 11, 20, 15, 4, 5, tzinfo=timezone.utc)


def postgres_url() -> str:
    return os.environ.get("BADGELINE_TEST_POSTGRES_URL", DEFAULT_PG)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_available() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        with psycopg.connect(_libpq(postgres_url()), connect_timeout=3):
            return None
    except psycopg.Error as error:
        return f"PostgreSQL at {postgres_url()} unreachable: {error}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path, postgres_available) -> Iterator[str]:
    """URL of an empty database of the parametrized backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    if postgres_available:
        if os.environ.get("CI"):
            pytest.fail(postgres_available)
        pytest.skip(postgres_available)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = _libpq(postgres_url())
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = make_url(postgres_url()).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def engine(db_url) -> Iterator[Engine]:
    """A migrated database."""
    engine = create_store_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine):
    return session_factory(engine)


@pytest.fixture
def session(sessions) -> Iterator[Session]:
    with sessions() as s:
        yield s


@pytest.fixture
def provider(sessions) -> Provider:
    with sessions.begin() as s:
        row = Provider(name=f"Provider {uuid.uuid4().hex[:6]}", created_at=NOW)
        s.add(row)
    return row
