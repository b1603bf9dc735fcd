"""Alembic environment of the badgeline store.

The connection comes from `config.attributes["connection"]` when `pipeline.store.migrate`
runs the upgrade (so SQLite pragmas apply), else an engine is made from the URL given as
`-x url=...` or the `sqlalchemy.url` option. SQLite uses batch mode for ALTERs.
"""

from __future__ import annotations

from alembic import context

from pipeline.store.engine import create_store_engine
from pipeline.store.models import Base

config = context.config
target_metadata = Base.metadata


def _configure_and_run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("give the database URL: alembic -x url=... upgrade head")
    engine = create_store_engine(url)
    try:
        with engine.connect() as conn:
            _configure_and_run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run against a database")
run_migrations_online()
