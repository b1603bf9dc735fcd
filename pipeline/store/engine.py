"""Engine and session factory from a database URL (SQLite by default, PostgreSQL by URL).

SQLite connections get `foreign_keys=ON`, `journal_mode=WAL`, a busy timeout and
`synchronous=NORMAL`; every write transaction starts with `BEGIN IMMEDIATE`, so concurrent
writers (web + workers) queue on the busy timeout instead of failing with "database is
locked" when a read transaction tries to upgrade to a write; sessions from
`read_session_factory` begin with a plain `BEGIN` and never wait for writers. SQLAlchemy's own BEGIN
handling is used for SQLite (the pysqlite driver's implicit transactions are switched off,
which also makes SAVEPOINTs work).
PostgreSQL URLs (`postgresql://`, `postgres://`, `postgresql+psycopg://`) use psycopg 3; a pooled
connection is pinged before use only after sitting idle (`_ping_when_idle`), and a unit of work that is
one statement may run without BEGIN/COMMIT (`statement_session_factory`).
"""

from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from pipeline.errors import SettingsError

SQLITE_BUSY_TIMEOUT_MS = 30_000
PING_AFTER_IDLE_S = 2.0
"""A pooled PostgreSQL connection idle this long is pinged before use (`_ping_when_idle`)."""
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


def create_store_engine(url: str | URL, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, echo: bool = False,
                        ping_after_idle_s: float = PING_AFTER_IDLE_S) -> Engine:
    """Create the engine for `url`; for a SQLite file, create its folder first. PostgreSQL
    connections are pinged when taken from the pool after `ping_after_idle_s` idle (`_ping_when_idle`)."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, busy_timeout_ms, echo)
    engine = create_engine(parsed, echo=echo)
    _ping_when_idle(engine, ping_after_idle_s)
    return engine


def _ping_when_idle(engine: Engine, idle_s: float) -> None:
    """Ping a pooled connection before use only when it sat in the pool `idle_s` or longer (the
    server may have restarted or dropped it meanwhile); one given back a moment ago is used as is,
    saving a round trip per transaction. If the server went away in that moment, the statement fails
    as a disconnect: SQLAlchemy invalidates the pool and `is_transient` says retry (the web answers
    503 with Retry-After, a task retries)."""
    @event.listens_for(engine.pool, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle_s:
            return  # new, or back in the pool a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.InvalidatePoolError(f"an idle connection did not answer: {error}") from error
            raise


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


@functools.lru_cache(maxsize=32)
def statement_session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions for a unit of work that is ONE statement (a key lookup, a single-row
    `INSERT ... ON CONFLICT DO NOTHING`): on PostgreSQL each statement commits on its own
    (AUTOCOMMIT: no BEGIN and COMMIT round trips; a statement is atomic by itself); on SQLite the
    ordinary sessions (`read_only`: `read_session_factory`), local and cheap. Never for several
    writes that must succeed or fail together."""
    if engine.dialect.name != "postgresql":
        return read_session_factory(engine) if read_only else session_factory(engine)
    return sessionmaker(bind=engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False)


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
