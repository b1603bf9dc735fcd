"""CLI fixtures: the real `badgeline` click group, run in-process with CliRunner (no services)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result

from pipeline.cli import main


@pytest.fixture
def run(monkeypatch, tmp_path) -> Callable[..., Result]:
    """run(*args, env=None) -> Result, in `tmp_path`, with BADGELINE_PUBLIC_URL unset (CliRunner env)."""
    monkeypatch.chdir(tmp_path)

    def _run(*args: str, env: dict[str, str] | None = None) -> Result:
        runner = CliRunner(env={"BADGELINE_PUBLIC_URL": None, **(env or {})})
        return runner.invoke(main, list(args), catch_exceptions=False)

    return _run
