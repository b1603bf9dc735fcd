"""`badgeline frameworks list|show|export-case|add|retire`: the framework versions in the store.

`add` and `retire` change what every web process and worker serves (they read the store;
no restart). `add` validates everything first (each problem printed with its JSON path)
and stores nothing when anything is wrong.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import click

from issuer.errors import IssuerError
from issuer.frameworks.case import to_cfpackage
from issuer.frameworks.registry import FrameworkRegistry
from issuer.frameworks.urls import FrameworkUrls
from pipeline.cli.common import settings_options
from pipeline.errors import PipelineError
from pipeline.framework_catalog import (
    FrameworkRefused,
    add_framework_version,
    parse_framework_ref,
    retire_framework_version,
)
from pipeline.runner import prepare_store
from pipeline.services import build_services, utc_now
from pipeline.settings import Settings

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


@contextmanager
def store_services(settings: Settings):
    prepare_store(settings)
    services = build_services(settings)
    try:
        yield services
    finally:
        services.close()


def get_framework(code: str, version: str | None, registry: FrameworkRegistry | None = None):
    """The version (latest by default) from `registry` (default: the bundled ones, for offline `issue`)."""
    registry = registry or FrameworkRegistry.bundled()
    try:
        return registry.get(code, version) if version else registry.latest(code)
    except IssuerError as exc:
        raise click.ClickException(f"{exc.message} [{exc.code}]") from exc


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from exc


@click.group("frameworks")
def frameworks_group() -> None:
    """Competency frameworks and their versions (stored, shared by every process)."""


@frameworks_group.command("list")
@settings_options
def list_frameworks(settings: Settings) -> None:
    """List every framework version this installation holds (current and retired)."""
    with store_services(settings) as services:
        registry = services.registry
        for fw in registry.all():
            state = "retired" if registry.is_retired(fw.code, fw.version) else (
                "current" if registry.latest(fw.code) is fw else "older")
            click.echo(f"{fw.code}  {fw.version:10} {fw.title}  ({len(fw.levels)} levels, "
                       f"{len(fw.statements)} statements)  sha256:{fw.sha256_hex[:16]}…  {state}")
        for walk in registry.crosswalks():
            click.echo(f"crosswalk {walk.from_key[0]}@{walk.from_key[1]} -> {walk.to_key[0]}@{walk.to_key[1]}  "
                       f"({len(walk.carried())} statements carried over)")


@frameworks_group.command("show")
@click.argument("code")
@click.option("--version", "version", help="Framework version, e.g. v.26.05 (default: latest).")
@settings_options
def show(code: str, version: str | None, settings: Settings) -> None:
    """Show one framework version's levels and statement codes."""
    with store_services(settings) as services:
        fw = get_framework(code, version, services.registry)
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
@settings_options
def export_case(code: str, version: str | None, public_url: str, out, settings: Settings) -> None:
    """Export a framework version as a 1EdTech CASE 1.0 CFPackage."""
    with store_services(settings) as services:
        fw = get_framework(code, version, services.registry)
    json.dump(to_cfpackage(fw, FrameworkUrls(public_url)), out, indent=2, ensure_ascii=False)
    out.write("\n")


@frameworks_group.command("add")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--policy", type=click.Path(dir_okay=False, path_type=Path),
              help="Level policy file (default: the FILE's .policy.json beside it, if any).")
@click.option("--crosswalk", "crosswalks", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Crosswalk file mapping statements of one version to another (repeatable).")
@click.option("--sha256", help="The SHA-256 (hex) the document must have; refused otherwise.")
@settings_options
def add(file: Path | None, policy: Path | None, crosswalks: tuple[Path, ...], sha256: str | None,
        settings: Settings) -> None:
    """Validate and publish framework document FILE (and/or crosswalks), without a restart."""
    if file is None and not crosswalks:
        raise click.UsageError("give a framework FILE, a --crosswalk, or both")
    if policy is None and file is not None:
        beside = file.with_name(file.name.removesuffix(".json") + ".policy.json")
        policy = beside if beside.is_file() else None
    with store_services(settings) as services:
        try:
            added = add_framework_version(
                services.sessions, document=_read(file) if file else None, policy=_read(policy) if policy else None,
                crosswalks=[_read(c) for c in crosswalks], expected_sha256=sha256, now=utc_now(),
                source=file.name if file else "crosswalk")
        except FrameworkRefused as exc:
            lines = [f"  {e['path'] or '/'}: {e['message']}" for e in exc.errors]
            raise click.ClickException("\n".join([f"nothing stored [{exc.code}]:", *lines])) from exc
        except PipelineError as exc:
            raise click.ClickException(f"nothing stored: {exc.message} [{exc.code}]") from exc
        fw = added.framework
        url = services.urls.framework(fw)
    verb = {"added": "added", "unchanged": "already published (same bytes): nothing changed"}.get(added.document)
    if verb:
        click.echo(f"{fw.code}@{fw.version} {verb}  sha256:{fw.sha256_hex}  {url}")
    for walk, state in added.crosswalks:
        click.echo(f"crosswalk {walk.from_key[1]} -> {walk.to_key[1]} {state} "
                   f"({len(walk.carried())} statements carried over)")


@frameworks_group.command("retire")
@click.argument("ref", metavar="CODE@VERSION")
@settings_options
def retire(ref: str, settings: Settings) -> None:
    """Stop new assessments against CODE@VERSION (its pages and credentials stay)."""
    with store_services(settings) as services:
        try:
            code, version = parse_framework_ref(ref)
            retired_at = retire_framework_version(services.sessions, code, version, utc_now())
        except PipelineError as exc:
            raise click.ClickException(f"{exc.message} [{exc.code}]") from exc
    click.echo(f"{code}@{version} retired at {retired_at.isoformat()}: events naming it are refused "
               "(framework_version_retired); its pages, credentials and verification stay")
