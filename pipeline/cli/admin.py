"""`badgeline admin-key`: a new random admin key for the VC API issuing route, and its hash."""

from __future__ import annotations

import json
import secrets

import click

from pipeline.vcapi import admin_key_hash


@click.command("admin-key")
@click.option("--json", "as_json", is_flag=True, help="Print {key, hash} as JSON.")
def admin_key_command(as_json: bool) -> None:
    """Print a new admin key (256-bit, shown only this once) and its BADGELINE_ADMIN_KEY_HASH.

    Configure the web process with the hash; send the key as `Authorization: Bearer <key>`
    to `POST /credentials/issue`. The key itself is stored nowhere.
    """
    key = secrets.token_urlsafe(32)
    digest = admin_key_hash(key)
    if as_json:
        click.echo(json.dumps({"key": key, "hash": digest}))
        return
    click.echo(f"admin key (shown once, store it now): {key}")
    click.echo(f"BADGELINE_ADMIN_KEY_HASH={digest}")
