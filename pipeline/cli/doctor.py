"""`badgeline doctor [--json]`: the deployment's health (pipeline.doctor); exit 1 when a check fails."""

from __future__ import annotations

import json

import click

from pipeline.cli.common import settings_options
from pipeline.doctor import diagnose
from pipeline.services import build_services
from pipeline.settings import Settings


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@settings_options
def doctor_command(as_json: bool, settings: Settings) -> None:
    """Check the database, broker, workers, signing key, status lists and stuck events."""
    services = build_services(settings)
    try:
        findings = diagnose(settings, services)
    finally:
        services.close()
    if as_json:
        click.echo(json.dumps([{"check": f.name, "ok": f.ok, "detail": f.detail} for f in findings], indent=2))
    else:
        for finding in findings:
            click.echo(f"{'ok  ' if finding.ok else 'FAIL'}  {finding.name:<13} {finding.detail}")
    if not all(f.ok for f in findings):
        raise SystemExit(1)
