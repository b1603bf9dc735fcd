"""Wallet delivery fixtures: the issuing web app on a real HTTP port, a REAL Celery worker on a
real Redis (SQLite and PostgreSQL stores; tests/worker/conftest.py), a credential issued by that
worker for a processed event, and a provider API key that may see it.

`public_url` is the server's own `http://127.0.0.1:<port>`: wallets fetch the offer, the
metadata and the endpoints there, and the worker writes that origin into status entries.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import pytest
from werkzeug.serving import make_server

from issuer.keys import Ed25519Key
from pipeline.services import Services, build_services
from pipeline.store.api_keys import Scope, create_api_key
from pipeline.store.models import Credential
from pipeline.wallet.offers import OfferLinks, create_offer
from pipeline.wallet.signing import CeleryBoundIssuer
from pipeline.web import create_app
from tests.interop.conftest import node_binary, run_node  # noqa: F401 - fixtures
from tests.worker.conftest import (  # noqa: F401 - fixtures
    FW, Stack, free_port, native, processor, reader, settings, shared_redis, stack_factory, store)


@dataclass
class Service:
    """The running issuing service of one test."""

    stack: Stack
    services: Services
    base: str
    client: Any
    key: Ed25519Key
    api_key: str
    credential: Credential

    def offer(self, credential_id: str | None = None) -> OfferLinks:
        """What the collection page does: `create_offer` in a transaction."""
        with self.services.sessions.begin() as session:
            return create_offer(session, credential_id=credential_id or self.credential.id, public_url=self.base,
                                now=self.services.clock())

    def http(self, method: str, path: str, body: Any = None, *, form: dict[str, str] | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
        """A real HTTP request to the service: status, headers, parsed JSON (or text)."""
        data, sent = None, dict(headers or {})
        if form is not None:
            data = "&".join(f"{k}={urllib.request.quote(v, safe='')}" for k, v in form.items()).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, got, raw = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            status, got, raw = error.code, dict(error.headers), error.read()
        try:
            return status, got, json.loads(raw)
        except ValueError:
            return status, got, raw.decode("utf-8", "replace")

    def credentials_of_award(self) -> list[Credential]:
        with self.stack.store.reader() as s:
            return list(s.query(Credential).filter_by(award_id=self.credential.award_id).order_by(Credential.issued_at))


@pytest.fixture
def service(stack_factory, shared_redis) -> Iterator[Service]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    stack = stack_factory(shared_redis)
    stack.settings = stack.settings.model_copy(update={"public_url": base})
    key = Ed25519Key.generate()
    key.save(stack.settings.key_file)
    stack.worker()
    provider_id = stack.store.provider("Acme")
    event_id = stack.store.record(provider_id, native(f"ev-{uuid.uuid4().hex[:8]}", level="proficient"))
    stack.dispatcher().send_process_event(event_id)
    stack.store.wait_final([event_id])
    [credential] = stack.store.credentials_of(event_id)
    services = build_services(stack.settings)
    with services.sessions.begin() as session:
        _row, api_key = create_api_key(session, provider_id=provider_id, scopes=[Scope(FW["id"])],
                                       now=datetime.now(timezone.utc))
    app = create_app(stack.settings, services=services, mount_verifier=False,
                     bound_issuer=CeleryBoundIssuer(stack.app, timeout_s=20))
    httpd = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Service(stack, services, base, app.test_client(), key, api_key, credential)
    finally:
        httpd.shutdown()
        thread.join(timeout=5)
        services.close()


# --- in process: the same app and store, the worker's use case called directly ----------------
class InProcessBoundIssuer:
    """`BoundIssuer` without Celery: runs the worker's use case (`issue_bound_result`) in this
    process with the real key file, as the worker would. For the error tests; the end-to-end
    tests use the real worker."""

    def __init__(self, services: Services, settings) -> None:
        self.services, self.settings = services, settings

    def issue(self, offer_id: str, holder_did: str) -> dict:
        from pipeline.identity import load_issuing_identity
        from pipeline.wallet.bound import issue_bound_result

        now = self.services.clock()
        with self.services.sessions.begin() as session:
            identity = load_issuing_identity(self.settings, session, now)
        return issue_bound_result(self.services.sessions.begin, offer_id, holder_did, identity=identity,
                                  public_url=self.settings.public_url, now=now)


@dataclass
class Local:
    """The web app (test client) over a store holding one credential issued by the real use case."""

    services: Services
    client: Any
    credential: Credential
    clock: list[datetime]
    public_url: str
    bound: InProcessBoundIssuer

    def offer(self, **kwargs: Any) -> OfferLinks:
        with self.services.sessions.begin() as session:
            return create_offer(session, credential_id=self.credential.id, public_url=self.public_url,
                                now=self.clock[0], **kwargs)


@pytest.fixture
def local(store, processor, settings) -> Iterator[Local]:
    from pipeline.processing import process_event

    event_id = store.record(store.provider("Acme"), native(f"ev-{uuid.uuid4().hex[:8]}", level="proficient"))
    process_event(processor, event_id)
    [credential] = store.credentials_of(event_id)
    clock = [datetime.now(timezone.utc)]
    services = build_services(settings, clock=lambda: clock[0])
    bound = InProcessBoundIssuer(services, settings)
    app = create_app(settings, services=services, mount_verifier=False, bound_issuer=bound)
    yield Local(services, app.test_client(), credential, clock, settings.public_url, bound)
    services.close()
