"""`badgeline learners erase EMAIL|DID`: erase a learner's personal data (pipeline.erasure);
their credentials stay verifiable."""

from __future__ import annotations

import json

import click

from pipeline.cli.common import settings_options
from pipeline.erasure import erase_learner
from pipeline.errors import PipelineError
from pipeline.runner import prepare_store
from pipeline.services import build_services
from pipeline.settings import Settings


@click.group("learners")
def learners_group() -> None:
    """Learners' personal data."""


@learners_group.command("erase")
@click.argument("learner")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@settings_options
def erase(learner: str, yes: bool, settings: Settings) -> None:
    """Erase LEARNER's (email or DID) personal data from the store; credentials stay verifiable."""
    if not yes:
        click.confirm(f"Erase the personal data of {learner}? This cannot be undone.", abort=True)
    prepare_store(settings)
    services = build_services(settings)
    key = {"did": learner} if learner.startswith("did:") else {"email": learner}
    try:
        with services.sessions.begin() as session:
            done = erase_learner(session, **key)
    except PipelineError as exc:
        raise click.ClickException(f"{exc.message} [{exc.code}]") from exc
    finally:
        services.close()
    click.echo(json.dumps({"learner_id": done.learner_id, "events_redacted": done.events_redacted,
                           "credentials_kept": done.credentials_kept}))
