"""Options shared by the service commands: `--data-dir` and settings from BADGELINE_* variables."""

from __future__ import annotations

from functools import wraps
from pathlib import Path

import click

from pipeline.settings import Settings


def settings_options(fn):
    """Adds `--data-dir`; passes `settings` (env + that option) to the command."""

    @click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
                  help="Data directory (SQLite database, issuer key, embedded Redis). "
                       "Default: $BADGELINE_DATA_DIR or ./badgeline-data.")
    @wraps(fn)
    def wrapper(*args, data_dir: Path | None = None, **kwargs):
        overrides = {"data_dir": data_dir} if data_dir else {}
        kwargs["settings"] = Settings(**overrides)
        return fn(*args, **kwargs)

    return wrapper


def pepper(settings: Settings) -> bytes:
    return settings.api_key_pepper.get_secret_value().encode() if settings.api_key_pepper else b""
