"""`badgeline move-url NEW_URL`: move the service to another public base URL, deliberately.

Steps: migrate the store; record NEW_URL as the public URL and the previous one as an alias
(`pipeline.public_url.move_public_url`); print what changes. Nothing signed is rewritten:
credentials already issued keep citing the old URLs, which this service keeps answering for
as long as the old host still reaches it (`badgeline up` also listens on the ports of local
aliases). Then start the services with BADGELINE_PUBLIC_URL=NEW_URL.
"""

from __future__ import annotations

import click

from pipeline.cli.common import settings_options
from pipeline.errors import SettingsError
from pipeline.public_url import move_public_url
from pipeline.runner import prepare_store
from pipeline.services import build_services
from pipeline.settings import Settings


@click.command("move-url")
@click.argument("new_url")
@settings_options
def move_url_command(new_url: str, settings: Settings) -> None:
    """Make NEW_URL this service's public base URL; the old one stays served as an alias."""
    prepare_store(settings)
    services = build_services(settings)
    try:
        with services.sessions.begin() as session:
            previous, aliases = move_public_url(session, new_url, services.clock())
    except SettingsError as exc:
        raise click.ClickException(f"{exc.message} [{exc.code}]") from exc
    finally:
        services.close()
    new_url = new_url.strip().rstrip("/")
    if previous in (None, new_url):
        click.echo(f"public URL is {new_url} (nothing to move)")
        return
    click.echo(f"public URL moved: {previous} -> {new_url}")
    click.echo(f"  still served (aliases): {', '.join(aliases)}")
    click.echo("  credentials already issued keep their URLs and keep verifying while the old host reaches")
    click.echo("  this service; new credentials and status lists use the new URL.")
    click.echo(f"now start the services with BADGELINE_PUBLIC_URL={new_url}")
