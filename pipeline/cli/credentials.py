"""`badgeline issue` (offline, no services) and `badgeline verify FILE`.

`verify` is the web verifier from the command line: the same engine (`verifier.app.make_engine`),
the same reader of files (`verifier.formats`: JSON, VC-JWT, baked PNG/SVG), the same verdict
(`verified`, `not verified`, `could not fully check`) and, with `--json`, the VC API body.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timezone
from pathlib import Path

import click

from issuer.credentials import IssuerProfile, Recipient
from issuer.dids import resolve_did_key
from issuer.errors import IssuerError
from issuer.frameworks.urls import FrameworkUrls
from issuer.keys import Ed25519Key, did_key_signer
from issuer.problems import Outcome
from verifier.app import VerifierSettings, make_engine
from verifier.display import VERDICT_HEADLINES
from verifier.engine import Verification
from verifier.resolvers import fetch_budget
from pipeline.cli.frameworks import DEFAULT_PUBLIC_URL, get_framework
from pipeline.cli.keys import load_key, passphrase_option
from pipeline.issuance import IssuingIdentity, issue_level_credential
from pipeline.settings import Settings

MARKS = {Outcome.PASS: "PASS", Outcome.FAIL: "FAIL", Outcome.CANNOT_CHECK: "UNCHECKED"}


@click.command("issue")
@click.option("--framework", "code", required=True, help="Occupation code, e.g. 29-2052.00.")
@click.option("--version", "version", required=True, help="Framework version, e.g. v.26.05.")
@click.option("--level", required=True, help="emerging, developing, proficient or advanced.")
@click.option("--learner-email", help="Learner's email (stored only as a salted hash).")
@click.option("--learner-did", help="Learner's DID (holder), when they have a wallet.")
@click.option("--learner-name", help="Learner's display name.")
@click.option("--key", "key_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Issuer key file (default: a new did:key issuer, for trying things out).")
@click.option("--issuer-name", default=Settings.model_fields["issuer_name"].default, show_default=True)
@click.option("--public-url", default=DEFAULT_PUBLIC_URL, show_default=True, envvar="BADGELINE_PUBLIC_URL")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@passphrase_option
def issue_command(code, version, level, learner_email, learner_did, learner_name, key_path,
                  issuer_name, public_url, out, passphrase_env) -> None:
    """Build, sign and self-verify one level credential, offline."""
    if not learner_email and not learner_did:
        raise click.UsageError("give --learner-email or --learner-did")
    framework = get_framework(code, version)
    key = load_key(key_path, passphrase_env) if key_path else Ed25519Key.generate()
    if not key_path:
        click.echo(f"note: no --key given: signed with a new throwaway did:key ({key.did_key}); nobody can "
                   "issue with it again. Pass --key FILE to issue as a lasting issuer.", err=True)
    identity = IssuingIdentity(
        profile=IssuerProfile(id=key.did_key, name=issuer_name, url=public_url),
        signer=did_key_signer(key),
        resolve_key=resolve_did_key,
    )
    recipient = Recipient(name=learner_name, did=learner_did, email=learner_email,
                          salt=secrets.token_hex(8) if learner_email else None)
    try:
        credential = issue_level_credential(
            framework=framework, level=level, urls=FrameworkUrls(public_url), identity=identity,
            recipient=recipient, now=datetime.now(timezone.utc),
            image=FrameworkUrls(public_url).achievement_image(framework, level),
        )
    except IssuerError as exc:
        raise click.ClickException(f"{exc.message} [{exc.code}]") from exc
    text = json.dumps(credential, indent=2, ensure_ascii=False) + "\n"
    if out:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out} ({credential['id']})", err=True)
    else:
        click.echo(text, nl=False)


def print_verification(verification: Verification) -> None:
    """The page's verdict (upper case) and every check with its problems."""
    click.echo(VERDICT_HEADLINES[verification.verdict].upper())
    for check in verification.report.checks:
        click.echo(f"  {MARKS[check.outcome]:9} {check.name:12} {check.summary}")
        for problem in check.problems:
            where = f" at {problem.path}" if problem.path else ""
            click.echo(f"              {problem.code}{where}: {problem.detail}")


@click.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the VC API response body (POST /credentials/verify).")
def verify_command(path: Path, as_json: bool) -> None:
    """Verify a credential file (JSON, VC-JWT, baked PNG or SVG) with every check the web verifier
    runs (status lists, framework, the same fetch rules; BADGELINE_VERIFIER_* settings); exit
    status 0 only when it is verified, 1 otherwise ("could not fully check" included)."""
    settings = VerifierSettings()
    with fetch_budget(settings.request_fetch_budget_s):
        verification = make_engine(settings).verify_bytes(path.read_bytes())
    if as_json:
        click.echo(json.dumps(verification.body(), indent=2, ensure_ascii=False))
    else:
        print_verification(verification)
    raise SystemExit(0 if verification.verified else 1)

