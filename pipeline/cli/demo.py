"""`badgeline demo`: the README's main-job command.

The demo runs in a folder of its own, `DATA_DIR/demo` (its own SQLite store, key and embedded
Redis), replaced by each run: it serves on a free port, so its public URL changes every run,
and it must never record that URL in the service's own store (`badgeline up` would then refuse
to start, or worse, put new credentials on a status list published under the demo's port).
"""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

import click

from pipeline.cli.common import settings_options
from pipeline.demo import demo_settings, learner_table, run_demo, verify_while_up
from pipeline.embedded_redis import free_port
from pipeline.runner import StackError, running_stack
from pipeline.settings import Settings


def own_command() -> str:
    """How to run this same `badgeline` again from the user's shell, venv activated or not."""
    script = Path(sys.executable).parent / "badgeline"
    if script.exists() and shutil.which("badgeline") != str(script):
        return shlex.quote(str(script))
    return "badgeline" if script.exists() else f"{shlex.quote(sys.executable)} -m pipeline.cli"


@click.command("demo")
@click.option("--port", type=int, help="Web port (default: a free one).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the issued credentials (default: DATA_DIR/demo/credentials).")
@settings_options
def demo_command(port: int | None, out_dir: Path | None, settings: Settings) -> None:
    """Start the embedded stack in DATA_DIR/demo (replaced by each run, never the service's own
    store), post a realistic batch of events, print the credentials issued."""
    port = port or free_port()
    try:
        settings = demo_settings(settings, port)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from exc
    out_dir = out_dir or settings.data_dir / "credentials"
    click.echo(f"starting badgeline (demo data in {settings.data_dir.resolve()}, replaced by each demo run) …")
    try:
        with running_stack(settings, port=port) as stack:
            click.echo(f"up at {stack.web_url} (issuer {stack.issuer_id}); posting events:")
            result = run_demo(stack.web_url, settings, out_dir, click.echo)
            checked = verify_while_up(stack.web_url, result.written[0]) if result.written else None
    except (StackError, TimeoutError) as exc:
        raise click.ClickException(str(exc)) from exc
    rows = learner_table(result.credentials)
    click.echo("")
    click.echo(f"{'learner':<22}{'level':<13}{'framework':<11}credential")
    for name, level, version, cred_id in rows:
        mark = "  (new)" if cred_id in result.new_credentials else ""
        click.echo(f"{name:<22}{level:<13}{version:<11}{cred_id}{mark}")
    rejected = [p for p in result.posted if p.status >= 400]
    click.echo(f"\n{len(result.new_credentials)} credential(s) issued by this run, {len(rows)} in all; "
               f"{len(rejected)} event(s) refused; {sum(p.status == 200 for p in result.posted)} "
               f"duplicate(s) answered 200.")
    click.echo(f"credentials written to {out_dir.resolve()}")
    if not result.written:
        return
    first = shlex.quote(str(result.written[0]))
    if checked is not None:
        verdict = "VERIFIED" if checked.get("verified") else "NOT VERIFIED"
        click.echo(f"checked by the running verifier: {first}: {verdict}")
    click.echo(f"check one:  {own_command()} verify {first}")
    click.echo(f"  (the demo's service has stopped, so the issuer's revocation list is offline and that check says "
               f"COULD NOT FULLY CHECK; serve it again with: {own_command()} up --data-dir "
               f"{shlex.quote(str(settings.data_dir))} --port {port})")
