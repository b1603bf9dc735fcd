"""Holder fixtures: the real web app (`create_app` with the verifier mounted) served on a real
port, credentials issued by the real processing use case (real Ed25519 key, real evidence) on
the parametrized store (`db_url`: SQLite and PostgreSQL).

`world` gives the settings (whose `public_url` IS the live server, so the mounted verifier
fetches our status lists from it, as in production), the services, a Flask test client and
helpers: `earn(level, ...)` records and processes a whole level for a learner and returns the
credential id; `issue_expiring(valid_until)` stores a credential with a `validUntil`.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from issuer.credentials import Recipient
from issuer.frameworks import FrameworkRegistry, FrameworkUrls
from pipeline.identity import load_issuing_identity
from pipeline.issuance import issue_level_credential
from pipeline.processing import Processor, process_event
from pipeline.services import Services, build_services
from pipeline.settings import Settings
from pipeline.statuslists import allocate_entry
from pipeline.store.models import Award, Credential, Learner
from pipeline.web import create_app
from tests.worker.conftest import Store, codes, free_port, native

REGISTRY = FrameworkRegistry.bundled()
FW = REGISTRY.get("29-2052.00", "v.26.05")
CLOCK = datetime(2026, 11, 20, 16, 0, tzinfo=timezone.utc)
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    settings: Settings
    services: Services
    app: Flask
    store: Store
    clock: Clock
    providers: dict[str, str] = field(default_factory=dict)

    @property
    def public(self) -> str:
        return self.settings.public_url

    @property
    def client(self):
        return self.app.test_client()

    def processor(self) -> Processor:
        return Processor(sessions=self.services.sessions, registry=REGISTRY, urls=self.services.urls,
                         public_url=self.public, clock=self.clock,
                         identity=lambda s, now: load_issuing_identity(self.settings, s, now))

    def provider(self, name: str) -> str:
        if name not in self.providers:
            self.providers[name] = self.store.provider(name)
        return self.providers[name]

    def post(self, provider: str, doc: dict[str, Any]) -> list[str]:
        """Record one native event from `provider` and process it in-process; the credential ids."""
        event_id = self.store.record(self.provider(provider), doc)
        return list(process_event(self.processor(), event_id).credential_ids)

    def earn(self, level: str, *, email: str = "ana@example.org", name: str = "Ana Díaz",
             provider: str = "Northside", assessment: str = "practical") -> str:
        ids = self.post(provider, native(f"{level}-{uuid.uuid4().hex[:6]}", email=email, name=name, level=level,
                                          assessment=assessment))
        assert ids, "the level was not awarded"
        return ids[-1]

    def credential(self, credential_id: str) -> Credential:
        with self.services.read_sessions() as session:
            return session.get(Credential, credential_id)

    def learner_id(self, email: str) -> int:
        with self.services.read_sessions() as session:
            return session.scalar(select(Learner.id).where(Learner.email == email))

    def issue_expiring(self, valid_until: datetime, *, email: str = "kim@example.org", level: str = "emerging") -> str:
        """A credential with `validUntil` (processing issues none), for the expiry paths."""
        credential_id = f"urn:uuid:{uuid.uuid4()}"
        with self.services.sessions.begin() as session:
            learner = Learner(email=email, display_name="Kim Lee", created_at=CLOCK)
            session.add(learner)
            session.flush()
            award = Award(learner_id=learner.id, framework_code=FW.code, framework_version=FW.version, level=level,
                          awarded_at=CLOCK)
            session.add(award)
            session.flush()
            identity = load_issuing_identity(self.settings, session, CLOCK)
            allocated = allocate_entry(session, identity=identity, public_url=self.public, now=CLOCK)
            document = issue_level_credential(
                framework=FW, level=level, urls=self.services.urls, identity=identity, now=CLOCK,
                recipient=Recipient(name="Kim Lee", email=email, salt=secrets.token_hex(8)),
                credential_id=credential_id, valid_until=valid_until, status_entry=allocated.entry)
            session.add(Credential(id=credential_id, award_id=award.id, document=document, issued_at=CLOCK,
                                   status_list_id=allocated.slot.status_list_id, status_index=allocated.slot.index))
            session.flush()
            allocated.slot.credential_id = credential_id
        return credential_id


def make_world(db_url: str, tmp_path: Path, sessions, reader, **settings: Any) -> Iterator[World]:
    port = free_port()
    config = Settings.explicit(database_url=db_url, data_dir=tmp_path / "data", public_url=f"http://127.0.0.1:{port}",
                               **settings)
    clock = Clock(CLOCK)
    services = build_services(config, clock=clock, registry=REGISTRY)
    app = create_app(config, services=services)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield World(config, services, app, Store(sessions, reader), clock)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        services.close()


@pytest.fixture
def reader(engine, db_url):
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    plain = create_engine(db_url)
    yield sessionmaker(plain, expire_on_commit=False)
    plain.dispose()


@pytest.fixture
def world(db_url, tmp_path, sessions, reader) -> Iterator[World]:
    yield from make_world(db_url, tmp_path, sessions, reader)


def later(world: World, **delta: float) -> None:
    world.clock.now = world.clock.now + timedelta(**delta)


__all__ = ["ARTIFACTS", "CLOCK", "FW", "World", "codes", "later", "make_world", "native"]
