"""Issue 10, finding 9: `badgeline learners erase EMAIL` removes the learner's personal data from
the store (learner row, stored event bytes and normalized copies) and their credential still
verifies. Real store (SQLite and PostgreSQL), real processing and Ed25519 signing, the real CLI."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from issuer.dids import resolve_did_key
from issuer.verify import verify_credential
from pipeline.cli import main
from pipeline.processing import process_event
from pipeline.store.models import Credential, Event, Learner

from .conftest import CLOCK, codes, native

PERSONAL = ("ana@example.org", "Ana Diaz", "ANA@example.org")


def test_erase_removes_personal_data_and_the_credential_still_verifies(processor, store, settings):
    provider = store.provider("Acme")
    event_ids = [store.record(provider, native("e-1", email="ANA@example.org", statements=codes("developing", range(1, 6)))),
                 store.record(provider, native("e-2", statements=codes("developing", range(6, 11))))]
    for event_id in event_ids:
        process_event(processor, event_id)
    with store.reader() as session:
        [credential] = session.scalars(select(Credential)).all()
        document = credential.document

    runner = CliRunner(env={"BADGELINE_DATABASE_URL": settings.database_url, "BADGELINE_DATA_DIR": str(settings.data_dir),
                            "BADGELINE_PUBLIC_URL": settings.public_url})
    result = runner.invoke(main, ["learners", "erase", "ana@example.org", "--yes"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert '"events_redacted": 2' in result.output and '"credentials_kept": 1' in result.output

    with store.reader() as session:
        learner = session.scalars(select(Learner)).one()
        assert (learner.email, learner.email_hash, learner.did, learner.display_name) == (None, None, None, None)
        for event in session.scalars(select(Event)):
            stored = event.raw_payload.decode() + repr(event.parsed)
            for text in PERSONAL:
                assert text.lower() not in stored.lower(), (event.provider_event_id, text)
        assert session.scalars(select(Credential)).one().document == document  # untouched
    report = verify_credential(document, resolve_key=resolve_did_key, now=CLOCK)
    assert report.verified, report


def test_erasing_an_unknown_learner_fails_cleanly(settings, store):
    runner = CliRunner(env={"BADGELINE_DATABASE_URL": settings.database_url, "BADGELINE_DATA_DIR": str(settings.data_dir)})
    result = runner.invoke(main, ["learners", "erase", "nobody@example.org", "--yes"])
    assert result.exit_code != 0 and "learner_not_found" in result.output
