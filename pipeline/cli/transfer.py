"""`badgeline export FILE [--with-keys]` and `badgeline import FILE` (pipeline.transfer)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pipeline.cli.common import settings_options
from pipeline.errors import PipelineError
from pipeline.settings import Settings
from pipeline.store import create_store_engine
from pipeline.transfer import export_store, import_store


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--with-keys", is_flag=True, help="Include the providers' API-key hashes.")
@settings_options
def export_command(file: Path, with_keys: bool, settings: Settings) -> None:
    """Write every table of the store to FILE (JSON lines)."""
    engine = create_store_engine(settings.database_url)
    try:
        with file.open("w", encoding="utf-8") as out:
            rows = export_store(engine, out, with_keys=with_keys)
    finally:
        engine.dispose()
    click.echo(f"{rows} rows written to {file}")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@settings_options
def import_command(file: Path, settings: Settings) -> None:
    """Load FILE (from `badgeline export`) into this, empty, store."""
    engine = create_store_engine(settings.database_url)
    try:
        with file.open(encoding="utf-8") as lines:
            counts = import_store(engine, lines)
    except PipelineError as exc:
        raise click.ClickException(f"{exc.message} [{exc.code}]") from exc
    finally:
        engine.dispose()
    click.echo(json.dumps(counts))
