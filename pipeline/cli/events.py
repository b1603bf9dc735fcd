"""`badgeline events import FILE.csv`: the CSV upload of the API, from the shell, with progress."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
from sqlalchemy import select

from pipeline.cli.common import settings_options
from pipeline.embedded_redis import running_url
from pipeline.errors import PipelineError
from pipeline.intake import Caller, accept_csv
from pipeline.runner import prepare_store
from pipeline.services import NoDispatcher, build_services
from pipeline.settings import Settings
from pipeline.store.api_keys import scopes_of
from pipeline.store.models import ApiKey, Provider


def provider_caller(session, name: str) -> Caller:
    """Act as provider NAME with the accreditation of all its live keys (accreditation still applies)."""
    provider = session.scalars(select(Provider).where(Provider.name == name)).one_or_none()
    if provider is None:
        raise click.ClickException(f"no provider named {name!r} (see `badgeline providers list`)")
    keys = session.scalars(select(ApiKey).where(ApiKey.provider_id == provider.id, ApiKey.revoked_at.is_(None)))
    scopes = tuple(scope for key in keys for scope in scopes_of(key))
    if not scopes:
        raise click.ClickException(f"provider {name!r} has no live API key, so no accreditation")
    return Caller(provider_id=provider.id, scopes=scopes)


def dispatcher_for(settings: Settings):
    """Send tasks to BADGELINE_REDIS_URL, else to the embedded Redis of a `badgeline up` running on
    this data directory; with neither, events wait in `received` for a stack's sweep."""
    redis_url = settings.redis_url or running_url(settings.redis_dir)
    if not redis_url:
        click.echo("no broker is running for this data directory (start `badgeline up`, or set "
                   "BADGELINE_REDIS_URL): the events are stored and wait until a stack's sweep sends them",
                   err=True)
        return NoDispatcher()
    from pipeline.worker import CeleryDispatcher, create_celery_app

    return CeleryDispatcher(create_celery_app(settings.model_copy(update={"redis_url": redis_url})))


@click.group("events")
def events_group() -> None:
    """Assessment events."""


@events_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--provider", "provider_name", required=True, help="Provider NAME the rows come from.")
@click.option("--show-rows", is_flag=True, help="Print the outcome of every row, not only refused ones.")
@settings_options
def import_command(path: Path, provider_name: str, show_rows: bool, settings: Settings) -> None:
    """Import a CSV file (one row per statement result; see the README for the columns).

    Accepted events are queued for the workers at once: through BADGELINE_REDIS_URL, or the
    embedded broker of a `badgeline up` running on the same data directory. With no broker
    they wait in `received` until a stack's sweeper sends them.
    """
    prepare_store(settings)
    services = build_services(settings, dispatcher=dispatcher_for(settings))
    try:
        with services.sessions() as session:
            caller = provider_caller(session, provider_name)
        with click.progressbar(length=1, label="storing events", show_pos=True, file=None) as bar:
            def progress(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)

            result = accept_csv(services, caller, path.read_bytes(), max_events=10**7, on_progress=progress)
    except PipelineError as exc:
        details = getattr(exc, "errors", ())
        lines = [f"  {e.path} (row {e.row}): {e.code}: {e.message}" for e in details] if details else []
        raise click.ClickException("\n".join([f"{exc.message} [{exc.code}]", *lines])) from exc
    finally:
        services.close()
    counts = Counter("accepted" if o.accepted and o.accepted.created else "replayed" if o.accepted else "refused"
                     for o in result.events)
    for row in result.rows:
        if row.error is not None or show_rows:
            state = f"{row.error.code}: {row.error.message}" if row.error else "ok"
            click.echo(f"row {row.row}: {row.event_id or '-'}: {state}")
    click.echo(f"{len(result.events)} events in {len(result.rows)} rows: {counts['accepted']} accepted, "
               f"{counts['replayed']} already known, {counts['refused']} refused.")
    if counts["refused"]:
        raise SystemExit(1)
