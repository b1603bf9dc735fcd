"""`badgeline providers add | list | revoke-key` as an operator uses them, on a real SQLite store."""

from __future__ import annotations

import re

from click.testing import CliRunner

from pipeline.cli import main

ENV = {"BADGELINE_REDIS_URL": ""}


def run(*args: str):
    return CliRunner().invoke(main, list(args), env=ENV)


def test_add_list_and_revoke_by_the_prefix_that_list_shows(tmp_path):
    data = str(tmp_path / "data")
    added = run("providers", "add", "Northside College", "--frameworks", "29-2052.00@v.26.05:proficient+advanced",
                "--data-dir", data)
    assert added.exit_code == 0, added.output
    key_id = re.search(r"API key id (\S+)", added.output)[1]  # the text form names the key id
    key = re.search(r"(bl_\w+_\w+)", added.output)[1]

    listed = run("providers", "list", "--data-dir", data).output
    assert "29-2052.00@v.26.05:proficient+advanced" in listed  # level restrictions are shown
    assert key_id in listed
    prefix = re.search(r"(bl_[A-Za-z0-9]+_…)", listed)[1]
    assert key.startswith(prefix[:-1])

    revoked = run("providers", "revoke-key", prefix, "--data-dir", data)
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in run("providers", "list", "--data-dir", data).output.split(key_id)[1].splitlines()[0]

    unknown = run("providers", "revoke-key", "bl_nope_…", "--data-dir", data)
    assert unknown.exit_code != 0 and "providers list" in unknown.output


def test_levels_without_a_version_read_back_as_given(tmp_path):
    data = str(tmp_path / "data")
    assert run("providers", "add", "Eastside", "--frameworks", "29-2052.00:emerging", "--data-dir", data).exit_code == 0
    assert "[29-2052.00:emerging]" in run("providers", "list", "--data-dir", data).output
