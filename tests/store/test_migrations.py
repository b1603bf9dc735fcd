"""`alembic upgrade head` on an empty database yields exactly the models' schema."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from pipeline.store import create_store_engine, migrate
from pipeline.store.migrate import alembic_config
from pipeline.store.models import Base


def _diffs(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(context, Base.metadata)


def test_upgrade_head_matches_models(db_url):
    migrate(db_url)
    engine = create_store_engine(db_url)
    try:
        assert _diffs(engine) == []
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        with engine.connect() as conn:
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
    finally:
        engine.dispose()


def test_compare_sees_a_difference(db_url):
    # The no-diff check above can fail: an empty database differs from the models.
    engine = create_store_engine(db_url)
    try:
        assert any(d[0] == "add_table" for d in _diffs(engine))
    finally:
        engine.dispose()


def test_migrate_is_idempotent_and_downgrades(db_url):
    migrate(db_url)
    migrate(db_url)
    engine = create_store_engine(db_url)
    try:
        with engine.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    finally:
        engine.dispose()
