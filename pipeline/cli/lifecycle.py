"""`badgeline revoke` and `badgeline credentials expiring` (issue 8), for the operator.

`revoke ID --reason TEXT` or `revoke --file ids.txt --reason TEXT` (one id per line, `#`
comments and blank lines skipped; `urn:uuid:...` or the bare UUID): each id is revoked in its
own transaction (`pipeline.revocation.revoke_award`, audit actor `cli`), with a progress bar
and one line per id: `revoked`, `already revoked` or `not found`. Then the CLI, which holds
the signing key, re-signs every status list it changed. Exit status 1 if any id failed.

`credentials expiring --days N [--json]`: credentials not revoked nor renewed whose
`validUntil` falls within N days, soonest first.
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click

from pipeline.cli.common import settings_options
from pipeline.errors import PipelineError
from pipeline.identity import load_issuing_identity
from pipeline.outcomes import URN_UUID
from pipeline.renewals import expiring_credentials
from pipeline.revocation import CLI, Actor, checked_reason, revoke_award
from pipeline.runner import prepare_store
from pipeline.services import build_services
from pipeline.settings import Settings
from pipeline.statuslists import publish_status_list
from pipeline.store.models import Credential


def credential_key(text: str) -> str | None:
    """`urn:uuid:<uuid>` for a UUID given bare or as a URN; None when it is neither."""
    try:
        return URN_UUID + str(uuid.UUID(text.strip().removeprefix(URN_UUID)))
    except ValueError:
        return None


def ids_from(credential_id: str | None, file: Path | None) -> list[str]:
    if (credential_id is None) == (file is None):
        raise click.UsageError("give one CREDENTIAL_ID or --file ids.txt")
    if file is None:
        return [credential_id]
    lines = (line.strip() for line in file.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _revoke_one(services, text: str, reason: str, lists: set[str]) -> tuple[bool, str]:
    key = credential_key(text)
    if key is None:
        return False, "not a credential id (a UUID)"
    now = services.clock()
    with services.sessions.begin() as session:
        credential = session.get(Credential, key)
        if credential is None:
            return False, "not found"
        revoked = revoke_award(session, credential, actor=Actor(CLI), reason=reason, now=now,
                               public_url=services.settings.public_url)
    lists.update(revoked.list_ids)
    return True, "revoked" if revoked.changed else "already revoked"


def _resign(services, settings: Settings, lists: set[str]) -> None:
    for list_id in sorted(lists):
        now = services.clock()
        with services.sessions.begin() as session:
            identity = load_issuing_identity(settings, session, now)
            publish_status_list(session, list_id, identity=identity, public_url=settings.public_url, now=now)
        click.echo(f"status list {list_id} re-signed")


@click.command("revoke")
@click.argument("credential_id", required=False)
@click.option("--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A file of credential ids, one per line.")
@click.option("--reason", required=True, help="Why (kept in the audit trail and shown to providers).")
@settings_options
def revoke_command(credential_id: str | None, file: Path | None, reason: str, settings: Settings) -> None:
    """Revoke credentials for good and re-sign their status lists."""
    ids = ids_from(credential_id, file)
    try:
        reason = checked_reason(reason)
    except PipelineError as error:
        raise click.UsageError(error.message) from error
    prepare_store(settings)
    services = build_services(settings)
    failed, lists = 0, set()
    try:
        on_terminal = sys.stdout.isatty()  # keep each line off the progress bar's line
        with click.progressbar(ids, label="revoking", show_pos=True, file=None) as bar:
            for text in bar:
                ok, what = _revoke_one(services, text, reason, lists)
                failed += not ok
                click.echo(("\n" if on_terminal else "") + f"{text}: {what}")
        _resign(services, settings, lists)
    finally:
        services.close()
    click.echo(f"{len(ids) - failed} of {len(ids)} revoked or already revoked, {failed} failed.")
    if failed:
        raise SystemExit(1)


@click.group("credentials")
def credentials_group() -> None:
    """Issued credentials."""


@credentials_group.command("expiring")
@click.option("--days", type=click.IntRange(min=1), required=True, help="Window, in days from now.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@settings_options
def expiring_command(days: int, as_json: bool, settings: Settings) -> None:
    """Credentials (not revoked, not renewed) whose validUntil falls within DAYS."""
    prepare_store(settings)
    services = build_services(settings)
    now = datetime.now(timezone.utc)
    try:
        with services.read_sessions() as session:
            rows = [(c.id, c.award.framework_code, c.award.framework_version, c.award.level,
                     c.valid_until.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
                    for c in expiring_credentials(session, now=now, within=timedelta(days=days))]
    finally:
        services.close()
    if as_json:
        click.echo(json.dumps([{"id": i, "framework": {"id": c, "version": v}, "level": lv, "valid_until": u}
                               for i, c, v, lv, u in rows], indent=2))
        return
    for credential_id, code, version, level, until in rows:
        click.echo(f"{until}  {credential_id}  {code} {version} {level}")
    click.echo(f"{len(rows)} credential(s) expire within {days} day(s).")


__all__ = ["credential_key", "credentials_group", "revoke_command"]
