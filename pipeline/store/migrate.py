"""Run the embedded Alembic migrations programmatically (`migrate(url)` = `upgrade head`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from pipeline.store.engine import create_store_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config() -> Config:
    """The embedded `alembic.ini`, with `script_location` pointing at the packaged scripts."""
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def migrate(target: str | Engine, revision: str = "head") -> None:
    """Upgrade the database at `target` (a URL or an engine) to `revision`."""
    engine = create_store_engine(target) if isinstance(target, str) else target
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        if isinstance(target, str):
            engine.dispose()
