"""Engine factory: SQLite pragmas, foreign keys on both backends, UTC round trips, URL rules."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import exc, text

from pipeline.errors import SettingsError
from pipeline.store import create_store_engine, is_transient, normalize_url
from pipeline.store.models import Event, Provider

from .conftest import NOW


def test_sqlite_pragmas(tmp_path):
    engine = create_store_engine(f"sqlite:///{tmp_path / 'sub' / 'db.sqlite3'}", busy_timeout_ms=1234)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() == 1234
        assert (tmp_path / "sub" / "db.sqlite3").exists()
    finally:
        engine.dispose()


def test_foreign_keys_enforced(sessions):
    with pytest.raises(exc.IntegrityError):
        with sessions.begin() as s:
            s.add(Event(provider_id="no-such-provider", provider_event_id="e1", raw_payload=b"{}",
                        payload_sha256="0" * 64, format="native", received_at=NOW, updated_at=NOW))


def test_check_constraint_on_state(sessions, provider):
    with pytest.raises(exc.IntegrityError):
        with sessions.begin() as s:
            s.add(Event(provider_id=provider.id, provider_event_id="e1", raw_payload=b"{}", payload_sha256="0" * 64,
                        format="native", state="lost", received_at=NOW, updated_at=NOW))


def test_datetimes_come_back_aware_utc(sessions):
    plus_two = datetime(2026, 1, 2, 5, 0, tzinfo=timezone(timedelta(hours=2)))
    with sessions.begin() as s:
        s.add(Provider(id="p-utc", name="utc", created_at=plus_two))
    with sessions() as s:
        got = s.get(Provider, "p-utc").created_at
    assert got == plus_two and got.tzinfo == timezone.utc and got.hour == 3


def test_naive_datetime_refused(sessions):
    with pytest.raises(exc.StatementError):
        with sessions.begin() as s:
            s.add(Provider(name="naive", created_at=datetime(2026, 1, 1)))


def test_postgres_urls_use_psycopg():
    assert normalize_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("sqlite:///x.db").drivername == "sqlite"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url"])
def test_unsupported_urls(url):
    with pytest.raises(SettingsError) as caught:
        normalize_url(url)
    assert caught.value.code == "database_url_invalid"


def test_unreachable_database_is_transient():
    engine = create_store_engine("postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2")
    try:
        with pytest.raises(exc.OperationalError) as caught:
            with engine.connect():
                pass
        assert is_transient(caught.value)
    finally:
        engine.dispose()


def test_constraint_violation_is_not_transient(sessions, provider):
    with pytest.raises(exc.IntegrityError) as caught:
        with sessions.begin() as s:
            s.add(Provider(name=provider.name, created_at=NOW))
    assert not is_transient(caught.value)
