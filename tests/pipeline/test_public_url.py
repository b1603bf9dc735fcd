"""The public URL is recorded with the data (SQLite and PostgreSQL); services started under another
URL refuse, naming both URLs and `badgeline move-url`; the move keeps old status lists at their URLs."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.identity import load_issuing_identity
from pipeline.public_url import (PublicUrlChanged, claim_public_url, local_alias_ports, move_public_url,
                                 public_url_aliases, recorded_public_url)
from pipeline.settings import Settings
from pipeline.statuslists import allocate_entry, publish_status_list
from pipeline.store.models import StatusList

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
OLD, NEW = "https://badges.example.org", "https://credentials.example.org"


def test_first_use_records_the_url_and_the_same_url_passes(sessions):
    with sessions.begin() as s:
        assert recorded_public_url(s) is None
        assert claim_public_url(s, OLD + "/", NOW) == OLD
    with sessions.begin() as s:
        assert claim_public_url(s, OLD, NOW) == OLD
        assert recorded_public_url(s) == OLD and public_url_aliases(s) == []


def test_another_url_is_refused_naming_both_and_the_move(sessions):
    with sessions.begin() as s:
        claim_public_url(s, OLD, NOW)
    with sessions.begin() as s, pytest.raises(PublicUrlChanged) as refused:
        claim_public_url(s, NEW, NOW)
    assert refused.value.code == "public_url_changed"
    assert OLD in refused.value.message and NEW in refused.value.message
    assert f"badgeline move-url {NEW}" in refused.value.message
    with sessions.begin() as s:
        assert recorded_public_url(s) == OLD  # nothing changed


def test_move_makes_the_old_url_an_alias_and_moving_back_is_allowed(sessions):
    with sessions.begin() as s:
        claim_public_url(s, OLD, NOW)
        assert move_public_url(s, NEW, NOW) == (OLD, [OLD])
    with sessions.begin() as s:
        assert claim_public_url(s, NEW, NOW) == NEW
        with pytest.raises(PublicUrlChanged):
            claim_public_url(s, OLD, NOW)  # the old URL is an alias now, not the current one
    with sessions.begin() as s:
        assert move_public_url(s, OLD, NOW) == (NEW, [NEW])
        assert public_url_aliases(s) == [NEW]


def test_after_a_move_old_lists_keep_their_url_and_take_no_new_credentials(sessions, tmp_path):
    settings = Settings.explicit(data_dir=tmp_path, public_url=OLD)
    with sessions.begin() as s:
        identity = load_issuing_identity(settings, s, NOW)
        first = allocate_entry(s, identity=identity, public_url=OLD, now=NOW)
        move_public_url(s, NEW, NOW)
    with sessions.begin() as s:
        second = allocate_entry(s, identity=identity, public_url=NEW, now=NOW)
        resigned = publish_status_list(s, "1", identity=identity, public_url=NEW, now=NOW)
    assert first.entry["statusListCredential"] == f"{OLD}/status/1"
    assert resigned["id"] == f"{OLD}/status/1"  # re-signed after the move: still the URL credentials cite
    assert second.entry["statusListCredential"] == f"{NEW}/status/2"
    with sessions.begin() as s:
        assert s.get(StatusList, "2").document["id"] == f"{NEW}/status/2"


def test_local_alias_ports_only_for_plain_http_on_this_host():
    aliases = ["http://127.0.0.1:1", "http://localhost:2", "https://127.0.0.1:3", "http://other.example:4",
               "http://127.0.0.1:9000"]
    assert local_alias_ports(aliases, "127.0.0.1", 9000) == [1, 2]


# --- the services refuse, through the command line ----------------------------------------------------
def cli(tmp_path, db_url: str, *args: str, url: str | None = None):
    env = {"BADGELINE_DATA_DIR": str(tmp_path / "data"), "BADGELINE_DATABASE_URL": db_url,
           "BADGELINE_PUBLIC_URL": url, "BADGELINE_REDIS_URL": "redis://127.0.0.1:1/0", "BADGELINE_ISSUER_DID": None}
    return CliRunner(env=env).invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("command", [["web"], ["worker"], ["up", "--port", "1"], ["init"]])
def test_services_refuse_another_public_url(tmp_path, db_url, command, monkeypatch):
    def started(*args):  # `web` and `worker` exec the server once their checks pass: that is a failure here
        raise AssertionError(f"started {args[0]} under another public URL")

    monkeypatch.setattr("os.execve", started)
    first = cli(tmp_path, db_url, "init", url=OLD)
    assert first.exit_code == 0, first.output
    refused = cli(tmp_path, db_url, *command, url=NEW)
    assert refused.exit_code == 1, refused.output
    assert OLD in refused.stderr and NEW in refused.stderr and f"badgeline move-url {NEW}" in refused.stderr


def test_move_url_command_then_the_new_url_starts(tmp_path, db_url):
    assert cli(tmp_path, db_url, "init", url=OLD).exit_code == 0
    moved = cli(tmp_path, db_url, "move-url", NEW + "/")
    assert moved.exit_code == 0, moved.output
    assert f"public URL moved: {OLD} -> {NEW}" in moved.stdout and f"aliases): {OLD}" in moved.stdout
    assert cli(tmp_path, db_url, "init", url=NEW).exit_code == 0
    assert cli(tmp_path, db_url, "init", url=OLD).exit_code == 1
    bad = cli(tmp_path, db_url, "move-url", "not a url")
    assert bad.exit_code == 1 and "public_url_invalid" in bad.stderr
