"""Engine and session factory from a database URL (SQLite by default, PostgreSQL by URL).

SQLite connections get `foreign_keys=ON`, `journal_mode=WAL`, a busy timeout and
`synchronous=NORMAL`; every write transaction starts with `BEGIN IMMEDIATE`, so concurrent
writers (web + workers) queue on the busy timeout instead of failing with "database is
locked" when a read transaction tries to upgrade to a write; sessions from
`read_session_factory` begin with a plain `BEGIN` and never wait for writers. SQLAlchemy's own BEGIN
handling is used for SQLite (the pysqlite driver's implicit transactions are switched off,
which also makes SAVEPOINTs work).
PostgreSQL URLs (`postgresql://`, `postgres://`, `postgresql+psycopg://`) use psycopg 3.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from pipeline.errors import SettingsError

SQLITE_BUSY_TIMEOUT_MS = 30_000
READ_ONLY_OPTION = "badgeline_read_only"


def normalize_url(url: str | URL) -> URL:
    """Parse `url`, mapping PostgreSQL URLs to the psycopg 3 driver."""
    try:
        parsed = make_url(url)
    except exc.ArgumentError as error:
        raise SettingsError(f"not a database URL: {url!r}", code="database_url_invalid") from error
    if parsed.drivername in {"postgres", "postgresql"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise SettingsError(f"unsupported database: {parsed.get_backend_name()}", code="database_url_invalid")
    return parsed


def create_store_engine(url: str | URL, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, echo: bool = False) -> Engine:
    """Create the engine for `url`; for a SQLite file, create its folder first."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, busy_timeout_ms, echo)
    return create_engine(parsed, pool_pre_ping=True, echo=echo)


def _sqlite_engine(url: URL, busy_timeout_ms: int, echo: bool) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"timeout": busy_timeout_ms / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Readers take no write lock (WAL gives them a snapshot); writers queue for it up front.
        read_only = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to `engine`; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for transactions that only read. On SQLite they begin with a plain `BEGIN`, so
    they read a WAL snapshot instead of waiting behind a worker's write transaction."""
    return sessionmaker(bind=engine.execution_options(**{READ_ONLY_OPTION: True}), expire_on_commit=False)


def is_transient(error: BaseException) -> bool:
    """True when `error` is a database failure worth retrying (server down, lock timeout).

    Constraint violations and programming errors are permanent; connection loss,
    `OperationalError` (PostgreSQL unavailable, serialization failure, SQLite busy) are not.
    """
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, (exc.OperationalError, exc.DisconnectionError, exc.TimeoutError)):
        return True
    if isinstance(error, exc.DBAPIError):
        sqlstate = getattr(getattr(error, "orig", None), "sqlstate", None)
        return sqlstate in {"40001", "40P01"}  # serialization failure, deadlock
    return False
