"""The `badgeline` command line. Thin: parses options, composes, calls use cases, prints."""

from __future__ import annotations

import click

from pipeline.cli.admin import admin_key_command
from pipeline.cli.credentials import issue_command, verify_command
from pipeline.cli.demo import demo_command
from pipeline.cli.doctor import doctor_command
from pipeline.cli.events import events_group
from pipeline.cli.frameworks import frameworks_group
from pipeline.cli.keys import keys_group
from pipeline.cli.learners import learners_group
from pipeline.cli.lifecycle import credentials_group, revoke_command
from pipeline.cli.move_url import move_url_command
from pipeline.cli.providers import providers_group
from pipeline.cli.service import init_command, up_command, verifier_command, web_command, worker_command
from pipeline.cli.transfer import export_command, import_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="badgeline")
def main() -> None:
    """badgeline: assessments in, signed Open Badges 3.0 credentials out."""


main.add_command(keys_group)
main.add_command(frameworks_group)
main.add_command(issue_command)
main.add_command(verify_command)
main.add_command(providers_group)
main.add_command(up_command)
main.add_command(web_command)
main.add_command(worker_command)
main.add_command(demo_command)
main.add_command(init_command)
main.add_command(events_group)
main.add_command(verifier_command)
main.add_command(admin_key_command)
main.add_command(move_url_command)
main.add_command(revoke_command)
main.add_command(credentials_group)
main.add_command(learners_group)
main.add_command(doctor_command)
main.add_command(export_command)
main.add_command(import_command)
