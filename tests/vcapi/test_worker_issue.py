"""`POST /credentials/issue` end to end: the web app sends `badgeline.issue_credential` to a REAL
Celery worker subprocess on a real Redis (SQLite and PostgreSQL stores) and waits for its result.
The signing key is read by the worker only; the result is checked by our verifier and (node-marked)
by the W3C reference implementation."""

from __future__ import annotations

import copy
import threading
import time
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from issuer.dids import resolve_did_key
from issuer.keys import Ed25519Key
from issuer.verify import verify_credential
from pipeline.services import build_services
from pipeline.store.models import IssuerKey
from pipeline.web import create_app
from pipeline.worker import CeleryCredentialIssuer, create_celery_app
from tests.interop.conftest import node_binary, reference_verify, run_node  # noqa: F401 - fixtures
from tests.worker.conftest import free_port

from .conftest import ADMIN_HASH, AUTH, VALID_VC

VC1 = "https://www.w3.org/2018/credentials/v1"


def started(stack_factory, shared_redis, *, worker: bool = True, timeout_s: float = 10.0):
    """A stack with an operator-generated key, a worker (optional) and a web client using them."""
    stack = stack_factory(shared_redis, admin_key_hash=ADMIN_HASH)
    key = Ed25519Key.generate()
    key.save(stack.settings.key_file)
    if worker:
        stack.worker()
    app = create_app(stack.settings, services=build_services(stack.settings), mount_verifier=False,
                     credential_issuer=CeleryCredentialIssuer(stack.app, timeout_s=timeout_s))
    return stack, key, app.test_client()


def vc_for(key: Ed25519Key, **extra) -> dict:
    vc = copy.deepcopy(VALID_VC)
    vc.update({"id": f"urn:uuid:{uuid.uuid4()}", "issuer": key.did_key, **extra})
    return vc


def post(client, credential, options=None):
    return client.post("/credentials/issue", json={"credential": credential, "options": options or {}}, headers=AUTH)


def test_a_real_worker_signs_and_the_result_verifies(stack_factory, shared_redis, reader):
    stack, key, client = started(stack_factory, shared_redis)
    credential = vc_for(key)
    response = post(client, credential)
    assert response.status_code == 201, (response.get_json(), stack.logs())
    signed = response.get_json()["verifiableCredential"]
    assert signed["proof"][0]["verificationMethod"] == key.did_key_verification_method
    report = verify_credential(signed, resolve_key=resolve_did_key, now=datetime.now(timezone.utc))
    assert report.verified, report.as_dict()
    with reader() as s:  # the worker recorded the key it signed with (public part only)
        assert s.scalars(select(IssuerKey.public_key_multibase)).all() == [key.public_multibase]
    assert "issue_credential: signed" in stack.logs()


def test_the_worker_refuses_a_foreign_issuer_and_undefined_terms(stack_factory, shared_redis):
    stack, key, client = started(stack_factory, shared_redis)
    foreign = post(client, vc_for(key, issuer="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"))
    assert foreign.status_code == 400 and foreign.get_json()["code"] == "issuer_not_ours"
    legacy = {"@context": [VC1], "type": ["VerifiableCredential"], "issuer": {"id": key.did_key},
              "credentialSubject": {"id": "did:example:1", "undefinedTerm": True}}
    undefined = post(client, legacy)
    assert undefined.status_code == 400 and undefined.get_json()["code"] == "jsonld_undefined_term"
    assert "issue_credential: refused [issuer_not_ours]" in stack.logs()


def test_concurrent_requests_each_get_their_own_result(stack_factory, shared_redis):
    stack, key, client = started(stack_factory, shared_redis)
    credentials = [vc_for(key) for _ in range(6)]
    answers: dict[str, tuple[int, dict]] = {}

    def call(vc):
        response = post(client, vc)
        answers[vc["id"]] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=call, args=(vc,)) for vc in credentials]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(answers) == 6
    for vc in credentials:
        status, body = answers[vc["id"]]
        assert status == 201, body
        assert body["verifiableCredential"]["id"] == vc["id"]  # nobody got another request's result


def test_no_worker_is_503_and_the_expired_request_is_never_signed(stack_factory, shared_redis):
    stack, key, client = started(stack_factory, shared_redis, worker=False, timeout_s=1.0)
    started_at = time.monotonic()
    response = post(client, vc_for(key))
    assert response.status_code == 503 and response.get_json()["code"] == "issuer_timeout"
    assert response.headers["Retry-After"] == "5" and time.monotonic() - started_at < 5
    time.sleep(0.5)
    stack.worker()  # takes the abandoned (expired) message first, then the next one
    patient = create_app(stack.settings, services=build_services(stack.settings), mount_verifier=False,
                         credential_issuer=CeleryCredentialIssuer(stack.app, timeout_s=20)).test_client()
    assert post(patient, vc_for(key)).status_code == 201
    assert stack.logs().count("issue_credential: signed") == 1, stack.logs()
    assert "Discarding revoked task: badgeline.issue_credential" in stack.logs()  # expired, dropped unsigned


def test_a_dead_broker_is_503_quickly(tmp_path, credential):
    from pipeline.settings import Settings

    settings = Settings.explicit(data_dir=tmp_path, redis_url=f"redis://127.0.0.1:{free_port()}/0",
                                 admin_key_hash=ADMIN_HASH)
    app = create_app(settings, services=build_services(settings), mount_verifier=False,
                     credential_issuer=CeleryCredentialIssuer(create_celery_app(settings)))
    started_at = time.monotonic()
    response = app.test_client().post("/credentials/issue", json={"credential": credential}, headers=AUTH)
    assert response.status_code == 503 and response.get_json()["code"] == "broker_unavailable"
    assert time.monotonic() - started_at < 15


@pytest.mark.node
def test_the_reference_implementation_verifies_what_the_worker_signed(stack_factory, shared_redis, reference_verify):
    stack, key, client = started(stack_factory, shared_redis)
    v2 = post(client, vc_for(key)).get_json()["verifiableCredential"]
    v1 = post(client, {"@context": [VC1], "type": ["VerifiableCredential"], "issuer": key.did_key,
                       "credentialSubject": {"id": "did:example:1"}}).get_json()["verifiableCredential"]
    for signed in (v2, v1):
        verdict = reference_verify(signed)
        assert verdict["verified"] is True, verdict
    tampered = copy.deepcopy(v2)
    tampered["credentialSubject"]["name"] = "Mallory"
    assert reference_verify(tampered)["verified"] is False


def test_issuing_recovers_when_redis_comes_back(stack_factory, private_redis):
    stack = stack_factory(private_redis.url, admin_key_hash=ADMIN_HASH)
    key = Ed25519Key.generate()
    key.save(stack.settings.key_file)
    stack.worker()
    client = create_app(stack.settings, services=build_services(stack.settings), mount_verifier=False,
                        credential_issuer=CeleryCredentialIssuer(stack.app, timeout_s=10)).test_client()
    assert post(client, vc_for(key)).status_code == 201
    private_redis.stop()
    started_at = time.monotonic()
    down = post(client, vc_for(key))
    assert down.status_code == 503 and down.get_json()["code"] == "broker_unavailable"
    assert time.monotonic() - started_at < 10
    private_redis.start()  # same port; the worker reconnects by itself, the web needs no restart
    deadline = time.monotonic() + 40
    while (status := post(client, vc_for(key)).status_code) != 201 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert status == 201, stack.logs()
