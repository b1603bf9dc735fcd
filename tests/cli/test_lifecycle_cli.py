"""`badgeline revoke` (one id, or --file) and `badgeline credentials expiring`, on SQLite and
PostgreSQL, against credentials issued by the worker's use case."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from issuer.status import read_status
from pipeline.cli import main
from pipeline.settings import Settings
from pipeline.store.models import Credential, CredentialAudit, StatusList
from tests.lifecycle_data import VALID_FOR_DAYS, Issuer, expiring_registry

PUBLIC = "https://badges.example.org"


@pytest.fixture
def cli(db_url, tmp_path):
    env = {"BADGELINE_DATABASE_URL": db_url, "BADGELINE_REDIS_URL": "", "BADGELINE_PUBLIC_URL": PUBLIC}

    def run(*args: str):
        return CliRunner().invoke(main, [*args, "--data-dir", str(tmp_path / "data")], env=env)

    return run


@pytest.fixture
def issued(sessions, tmp_path):
    """Three credentials issued 340 days ago: each expires in 25 days."""
    settings = Settings.explicit(database_url="sqlite://", data_dir=tmp_path / "data", public_url=PUBLIC)
    issuer = Issuer(sessions, settings, expiring_registry(),
                    datetime.now(timezone.utc) - timedelta(days=VALID_FOR_DAYS - 25))
    return [issuer.passes(f"learner{i}@example.org")[0].removeprefix("urn:uuid:") for i in range(3)]


def test_revoke_one_credential_and_re_sign_its_list(cli, sessions, issued):
    result = cli("revoke", issued[0], "--reason", "  issued in error ")
    assert result.exit_code == 0, result.output
    assert f"{issued[0]}: revoked" in result.output and "status list 1 re-signed" in result.output
    with sessions() as s:
        credential = s.get(Credential, f"urn:uuid:{issued[0]}")
        assert credential.revocation_reason == "issued in error"
        [audit] = s.scalars(select(CredentialAudit)).all()
        assert (audit.actor, audit.action, audit.provider_id) == ("cli", "revoked", None)
        listing = s.get(StatusList, "1")
        assert listing.signed_bits_version == listing.bits_version == 1
        assert read_status(listing.document, credential.document["credentialStatus"]) == 1
        other = s.get(Credential, f"urn:uuid:{issued[1]}")
        assert read_status(listing.document, other.document["credentialStatus"]) == 0


def test_revoke_a_file_reports_each_id_and_fails_if_any_failed(cli, sessions, issued, tmp_path):
    assert cli("revoke", issued[0], "--reason", "first").exit_code == 0
    ids = tmp_path / "ids.txt"
    ids.write_text(f"# to revoke\n{issued[0]}\n\nurn:uuid:{issued[1]}\n"
                   "6f1c1c7e-5d43-4d1b-9a57-5f2f8b2a0f11\nnot-an-id\n", encoding="utf-8")
    result = cli("revoke", "--file", str(ids), "--reason", "batch withdrawal")
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert f"{issued[0]}: already revoked" in lines and f"urn:uuid:{issued[1]}: revoked" in lines
    assert "6f1c1c7e-5d43-4d1b-9a57-5f2f8b2a0f11: not found" in lines
    assert "not-an-id: not a credential id (a UUID)" in lines
    assert "2 of 4 revoked or already revoked, 2 failed." in lines
    with sessions() as s:
        assert s.get(Credential, f"urn:uuid:{issued[1]}").revocation_reason == "batch withdrawal"
        assert s.get(Credential, f"urn:uuid:{issued[0]}").revocation_reason == "first"
        assert s.get(Credential, f"urn:uuid:{issued[2]}").revoked_at is None


def test_revoke_needs_a_reason_and_one_source_of_ids(cli, issued, tmp_path):
    assert cli("revoke", issued[0], "--reason", " ").exit_code == 2
    assert cli("revoke", issued[0]).exit_code == 2
    assert cli("revoke", "--reason", "x").exit_code == 2


def test_credentials_expiring(cli, issued):
    cli("revoke", issued[0], "--reason", "gone")
    result = cli("credentials", "expiring", "--days", "30", "--json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert sorted(c["id"] for c in listed) == sorted(f"urn:uuid:{u}" for u in issued[1:])
    assert {c["level"] for c in listed} == {"proficient"}
    assert "0 credential(s) expire within 10 day(s)." in cli("credentials", "expiring", "--days", "10").output
    text = cli("credentials", "expiring", "--days", "30").output
    assert f"urn:uuid:{issued[1]}" in text and "2 credential(s) expire within 30 day(s)." in text
