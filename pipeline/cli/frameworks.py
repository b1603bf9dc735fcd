"""`badgeline frameworks list|show|export-case`."""

from __future__ import annotations

import json

import click

from issuer.errors import IssuerError
from issuer.frameworks.case import to_cfpackage
from issuer.frameworks.registry import FrameworkRegistry
from issuer.frameworks.urls import FrameworkUrls

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


def get_framework(code: str, version: str | None):
    registry = FrameworkRegistry.bundled()
    try:
        return registry.get(code, version) if version else registry.latest(code)
    except IssuerError as exc:
        raise click.ClickException(f"{exc.message} [{exc.code}]") from exc


@click.group("frameworks")
def frameworks_group() -> None:
    """Competency frameworks and their versions."""


@frameworks_group.command("list")
def list_frameworks() -> None:
    """List every framework version this installation holds."""
    for fw in FrameworkRegistry.bundled().all():
        click.echo(f"{fw.code}  {fw.version:10} {fw.title}  ({len(fw.levels)} levels, "
                   f"{len(fw.statements)} statements)  sha256:{fw.sha256_hex[:16]}…")


@frameworks_group.command("show")
@click.argument("code")
@click.option("--version", "version", help="Framework version, e.g. v.26.05 (default: latest).")
def show(code: str, version: str | None) -> None:
    """Show one framework version's levels and statement codes."""
    fw = get_framework(code, version)
    click.echo(f"{fw.title} ({fw.code}) version {fw.version}")
    click.echo(f"sha256 {fw.sha256_hex}")
    for level in fw.levels:
        click.echo(f"\n{level.label}")
        for st in level.statements:
            click.echo(f"  {st.code}  {st.text}")


@frameworks_group.command("export-case")
@click.argument("code")
@click.option("--version", "version", help="Framework version (default: latest).")
@click.option("--public-url", default=DEFAULT_PUBLIC_URL, show_default=True, envvar="BADGELINE_PUBLIC_URL",
              help="Issuer's public base URL the CASE identifiers live under.")
@click.option("--out", type=click.File("w"), default="-", help="Output file (default: stdout).")
def export_case(code: str, version: str | None, public_url: str, out) -> None:
    """Export a framework version as a 1EdTech CASE 1.0 CFPackage."""
    fw = get_framework(code, version)
    json.dump(to_cfpackage(fw, FrameworkUrls(public_url)), out, indent=2, ensure_ascii=False)
    out.write("\n")
