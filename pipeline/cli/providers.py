"""`badgeline providers add | list | revoke-key`."""

from __future__ import annotations

import json

import click

from pipeline.cli.common import pepper, settings_options
from pipeline.errors import PipelineError
from pipeline.providers import add_provider, list_providers, parse_scope, revoke_key
from pipeline.runner import prepare_store
from pipeline.services import build_services, utc_now
from pipeline.settings import Settings


@click.group("providers")
def providers_group() -> None:
    """Training providers and their API keys."""


@providers_group.command("add")
@click.argument("name")
@click.option("--frameworks", "frameworks", required=True, multiple=True,
              help="Accreditation: CODE, CODE@VERSION or CODE@VERSION:LEVEL+LEVEL (repeatable).")
@click.option("--url", help="Provider's web site.")
@click.option("--json", "as_json", is_flag=True, help="Print {id, key_id, key} as JSON.")
@settings_options
def add(name: str, frameworks: tuple[str, ...], url: str | None, as_json: bool, settings: Settings) -> None:
    """Create provider NAME (or reuse it) and print a new API key, shown only this once."""
    prepare_store(settings)
    services = build_services(settings)
    try:
        scopes = [parse_scope(item, services.registry) for spec in frameworks for item in spec.split(",")]
        with services.sessions.begin() as session:
            new = add_provider(session, name=name, scopes=scopes, now=utc_now(), url=url, pepper=pepper(settings))
    except PipelineError as exc:
        raise click.ClickException(f"{exc.message} [{exc.code}]") from exc
    finally:
        services.close()
    if as_json:
        click.echo(json.dumps({"id": new.provider_id, "key_id": new.key_id, "key": new.key}))
    else:
        click.echo(f"provider {name} ({new.provider_id})")
        click.echo(f"API key id {new.key_id} (for `providers revoke-key`)")
        click.echo(f"API key (shown once, store it now): {new.key}")


@providers_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@settings_options
def list_command(as_json: bool, settings: Settings) -> None:
    """List providers and their keys (prefixes only; keys are never stored)."""
    prepare_store(settings)
    services = build_services(settings)
    try:
        with services.sessions() as session:
            providers = list_providers(session)
    finally:
        services.close()
    if as_json:
        click.echo(json.dumps(providers, indent=2))
        return
    for p in providers:
        click.echo(f"{p['name']}  ({p['id']})")
        for k in p["keys"]:
            state = f"revoked {k['revoked_at']}" if k["revoked_at"] else "active"
            scopes = ", ".join(scope_text(s) for s in k["scopes"])
            click.echo(f"  key {k['id']}  bl_{k['prefix']}_…  {state}  [{scopes}]")


def scope_text(scope: dict) -> str:
    """A scope as `--frameworks` takes it: CODE, CODE@VERSION, CODE:LEVEL+LEVEL or CODE@VERSION:LEVEL+LEVEL."""
    text = scope["framework"] + (f"@{scope['version']}" if scope.get("version") else "")
    return text + (":" + "+".join(scope["levels"]) if scope.get("levels") else "")


@providers_group.command("revoke-key")
@click.argument("key_id")
@settings_options
def revoke(key_id: str, settings: Settings) -> None:
    """Revoke an API key (by its id or the prefix `providers list` shows); requests with it are refused from now on."""
    services = build_services(settings)
    try:
        with services.sessions.begin() as session:
            revoke_key(session, key_id, utc_now())
    except PipelineError as exc:
        raise click.ClickException(f"{exc.message} [{exc.code}]") from exc
    finally:
        services.close()
    click.echo(f"revoked {key_id}")



