"""`python -m pipeline.cli` = the `badgeline` command."""

from pipeline.cli import main

main(prog_name="badgeline")
