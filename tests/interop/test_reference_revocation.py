"""A credential issued and revoked by the pipeline (issue 8): the W3C reference implementation
(@digitalbazaar/vc + vc-bitstring-status-list) and our own verifier, fetching the list over
HTTP from the running web app, both report it revoked; its neighbour on the list is not.
A credential past the `validUntil` its level policy gave it is refused by both."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from werkzeug.serving import make_server

from issuer.dates import format_datetime_z
from issuer.frameworks.registry import FrameworkRegistry
from pipeline.identity import load_issuing_identity
from pipeline.revocation import ADMIN, Actor, revoke_award
from pipeline.services import build_services
from pipeline.settings import Settings
from pipeline.statuslists import publish_status_list
from pipeline.store.models import Credential, StatusList
from pipeline.web import create_app
from tests.lifecycle_data import VALID_FOR_DAYS, Issuer, expiring_registry
from tests.worker.conftest import free_port
from verifier.engine import VerifierEngine
from verifier.resolvers import GuardedFetcher, GuardPolicy, HostAllowlist

NOW = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=1)


@pytest.fixture
def site(engine, db_url, tmp_path) -> Iterator[tuple[Settings, Issuer]]:
    """The web app on a real HTTP server at its public URL, and an in-process issuer on its store."""
    port = free_port()
    settings = Settings.explicit(database_url=db_url, data_dir=tmp_path / "data", public_url=f"http://127.0.0.1:{port}")
    services = build_services(settings, registry=expiring_registry())
    httpd = make_server("127.0.0.1", port, create_app(settings, services=services, mount_verifier=False),
                        threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield settings, Issuer(services.sessions, settings, services.registry, NOW)
    finally:
        httpd.shutdown()
        thread.join(5)
        services.close()


def _revoke_and_publish(issuer: Issuer, credential_id: str) -> None:
    with issuer.sessions.begin() as s:
        revoke_award(s, s.get(Credential, credential_id), actor=Actor(ADMIN), reason="interop", now=NOW)
        publish_status_list(s, "1", identity=load_issuing_identity(issuer.settings, s, NOW),
                            public_url=issuer.settings.public_url, now=NOW)


def _documents(issuer: Issuer, *ids: str) -> tuple[list[dict], dict]:
    with issuer.sessions() as s:
        return [s.get(Credential, i).document for i in ids], s.get(StatusList, "1").document


def _ours(settings: Settings, credential: dict, now: datetime) -> dict[str, str]:
    port = settings.public_url.rsplit(":", 1)[1]
    fetcher = GuardedFetcher(GuardPolicy(allowlist=HostAllowlist.parse([f"127.0.0.1:{port}"])))
    engine = VerifierEngine(fetcher=fetcher, registry=FrameworkRegistry.bundled(), clock=lambda: now)
    report = engine.verify_value(credential, now=now).report
    return {c.name: c.outcome.name for c in report.checks}


def test_both_verifiers_report_the_revoked_credential_revoked(site, run_node):
    settings, issuer = site
    [revoked_id] = issuer.passes("ana@example.org")
    [kept_id] = issuer.passes("bo@example.org")
    _revoke_and_publish(issuer, revoked_id)
    (revoked, kept), listing = _documents(issuer, revoked_id, kept_id)
    url = revoked["credentialStatus"]["statusListCredential"]
    assert url == f"{settings.public_url}/status/1" and listing["validUntil"] and listing["credentialSubject"]["ttl"]
    now = NOW + timedelta(minutes=5)
    for credential, is_revoked in ((revoked, True), (kept, False)):
        verdict = run_node("verify.js", {"credential": credential, "statusLists": {url: listing},
                                         "now": format_datetime_z(now)})
        assert verdict["status"] == [is_revoked], verdict
        assert verdict["verified"] is True, verdict  # the proofs hold; the status bit says revoked
        checks = _ours(settings, credential, now)
        assert checks["status"] == ("FAIL" if is_revoked else "PASS"), checks
        assert checks["proof"] == "PASS"


def test_both_verifiers_refuse_a_credential_past_its_valid_until(site, run_node):
    settings, issuer = site
    [credential_id] = issuer.passes("cy@example.org")
    [credential], listing = _documents(issuer, credential_id)
    assert credential["validUntil"] == format_datetime_z(NOW + timedelta(days=VALID_FOR_DAYS))
    url = credential["credentialStatus"]["statusListCredential"]
    before, after = NOW + timedelta(days=1), NOW + timedelta(days=VALID_FOR_DAYS, hours=1)
    assert run_node("verify.js", {"credential": credential, "now": format_datetime_z(before),
                                  "statusLists": {url: listing}})["verified"] is True
    expired = run_node("verify.js", {"credential": credential, "now": format_datetime_z(after),
                                     "statusLists": {url: listing}})
    assert expired["verified"] is False
    assert _ours(settings, credential, after)["validity"] == "FAIL"
