"""`badgeline keys generate|show|rotate`: Ed25519 issuer keys on disk (PKCS#8, mode 0600);
`rotate` replaces the service's signing key (`pipeline.key_rotation`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from issuer.errors import IssuerError
from issuer.keys import Ed25519Key
from pipeline.cli.common import settings_options
from pipeline.key_rotation import KeyRotationUnsupported, rotate_key
from pipeline.runner import prepare_store
from pipeline.services import build_services
from pipeline.settings import Settings


def passphrase_option(fn):
    return click.option(
        "--passphrase-env",
        metavar="VAR",
        help="Name of an environment variable holding the key's passphrase (never pass it on the command line).",
    )(fn)


def read_passphrase(var: str | None) -> bytes | None:
    if not var:
        return None
    value = os.environ.get(var)  # the CLI is a composition root: it may read the environment
    if value is None:
        raise click.UsageError(f"environment variable {var} is not set")
    return value.encode()


def load_key(path: Path, passphrase_var: str | None) -> Ed25519Key:
    try:
        return Ed25519Key.load(path, read_passphrase(passphrase_var))
    except IssuerError as exc:
        hint = ""
        if exc.code == "key_passphrase_required":
            hint = "; put the passphrase in an environment variable and pass its name: --passphrase-env VAR"
        raise click.ClickException(f"{exc.message} [{exc.code}]{hint}") from exc


@click.group("keys")
def keys_group() -> None:
    """Generate and inspect issuer signing keys."""


@keys_group.command("generate")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Key file to write.")
@click.option("--force", is_flag=True, help="Overwrite an existing key file.")
@passphrase_option
def generate(out: Path, force: bool, passphrase_env: str | None) -> None:
    """Generate an Ed25519 key and write it to OUT (mode 0600)."""
    passphrase = read_passphrase(passphrase_env)
    key = Ed25519Key.generate()
    try:
        key.save(out, passphrase, overwrite=force)
    except IssuerError as exc:
        if exc.code == "key_file_exists":
            raise click.ClickException(f"{out} exists; use --force to replace it") from exc
        raise click.ClickException(f"{exc.message} [{exc.code}]") from exc
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from exc
    click.echo(f"wrote {out}")
    click.echo(f"did:key  {key.did_key}")


@keys_group.command("show")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@passphrase_option
def show(path: Path, as_json: bool, passphrase_env: str | None) -> None:
    """Print the public side of a key: its did:key and Multikey public key."""
    key = load_key(path, passphrase_env)
    info = {
        "did": key.did_key,
        "verificationMethod": key.did_key_verification_method,
        "publicKeyMultibase": key.public_multibase,
    }
    if as_json:
        click.echo(json.dumps(info, indent=2))
    else:
        for name, value in info.items():
            click.echo(f"{name:20} {value}")


@keys_group.command("rotate")
@settings_options
def rotate(settings: Settings) -> None:
    """Make a new signing key current (did:web issuers only); retired keys stay published.

    Running web processes and workers pick the new key up without a restart."""
    prepare_store(settings)
    services = build_services(settings)
    try:
        with services.sessions.begin() as session:
            rotated = rotate_key(settings, session, services.clock())
    except KeyRotationUnsupported as exc:
        raise click.ClickException(exc.message) from exc
    except IssuerError as exc:
        raise click.ClickException(f"{exc.message} [{exc.code}]") from exc
    finally:
        services.close()
    click.echo(f"current key   {rotated.current_vm}")
    click.echo(f"retired key   {rotated.retired_vm} (still published; its credentials keep verifying)")
    click.echo(f"old key file  {rotated.archived_key}")
    click.echo(f"status lists re-signed: {', '.join(rotated.status_lists) or 'none yet'}")
