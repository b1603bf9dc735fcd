"""Issue 10, "Operations": `badgeline export` / `badgeline import` move every table between SQLite
and PostgreSQL. A store populated by real processing and signing is exported from one backend,
imported into the other, and compared table by table; its credentials still verify, and the
target takes new rows afterwards (PostgreSQL sequences moved past the imported ids)."""

from __future__ import annotations

import json
import uuid

import psycopg
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from issuer.dids import resolve_did_key
from issuer.verify import verify_credential
from pipeline.cli import main
from pipeline.processing import process_event
from pipeline.store import create_store_engine, session_factory
from pipeline.store.api_keys import Scope, create_api_key
from pipeline.store.models import ApiKey, Base, Credential, Learner
from tests.db_fixtures import _libpq, postgres_url

from .conftest import CLOCK, codes, native


def other_backend(db_url: str, tmp_path):
    """(url, cleanup) of an empty database of the other backend."""
    if db_url.startswith("postgresql"):
        return f"sqlite:///{tmp_path / 'target.sqlite3'}", lambda: None
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(_libpq(postgres_url()), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with psycopg.connect(_libpq(postgres_url()), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

    url = make_url(postgres_url()).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), drop


def counts(url: str) -> dict[str, int]:
    engine = create_store_engine(url)
    try:
        with engine.connect() as connection:
            return {t.name: connection.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}
    finally:
        engine.dispose()


def cli(url: str, *args: str):
    return CliRunner(env={"BADGELINE_DATABASE_URL": url}).invoke(main, list(args), catch_exceptions=False)


def test_export_then_import_into_the_other_backend(processor, store, db_url, tmp_path):
    alpha, beta = store.provider("Alpha"), store.provider("Beta")
    for n, provider in enumerate((alpha, beta)):
        for event in (native(f"e{n}-1", email=f"l{n}@example.org", statements=codes("developing", range(1, 6))),
                      native(f"e{n}-2", email=f"l{n}@example.org", statements=codes("developing", range(6, 11)))):
            process_event(processor, store.record(provider, event))
    source = counts(db_url)
    assert source["credentials"] == 2

    dump = tmp_path / "store.jsonl"
    assert cli(db_url, "export", str(dump), "--with-keys").exit_code == 0
    target, cleanup = other_backend(db_url, tmp_path)
    try:
        result = cli(target, "import", str(dump))
        assert result.exit_code == 0, result.output
        assert counts(target) == source
        engine = create_store_engine(target)
        try:
            with session_factory(engine).begin() as session:
                for credential in session.scalars(select(Credential)):
                    assert verify_credential(credential.document, resolve_key=resolve_did_key, now=CLOCK).verified
                session.add(Learner(email="new@example.org", created_at=CLOCK))  # sequences moved on
                session.flush()
            again = cli(target, "import", str(dump))
            assert again.exit_code != 0 and "import_target_not_empty" in again.output
        finally:
            engine.dispose()
    finally:
        cleanup()


def test_api_key_hashes_only_when_asked(store, db_url, tmp_path):
    provider = store.provider("Alpha")
    with store.sessions.begin() as session:
        create_api_key(session, provider_id=provider, scopes=[Scope("29-2052.00")], now=CLOCK, pepper=b"")
    plain, keyed = tmp_path / "plain.jsonl", tmp_path / "keyed.jsonl"
    assert cli(db_url, "export", str(plain)).exit_code == 0
    assert cli(db_url, "export", str(keyed), "--with-keys").exit_code == 0
    assert ApiKey.__tablename__ not in exported_tables(plain) and ApiKey.__tablename__ in exported_tables(keyed)


def exported_tables(path) -> set[str]:
    return {json.loads(line)["table"] for line in path.read_text().splitlines()[1:]}
