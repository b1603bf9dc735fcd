"""Status lists, the did:web document and health, served from the store (SQLite and PostgreSQL);
and a credential issued by the worker's use case for a did:web issuer, verified with keys fetched from the app."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from issuer.dids import StaticKeyResolver, did_web_document_url
from issuer.keys import Ed25519Key
from issuer.status import Bitstring
from issuer.verify import verify_credential
from pipeline.identity import load_issuing_identity, load_or_create_key, record_key
from pipeline.processing import LEVELS_REACHED, Processor, process_event
from pipeline.statuslists import publish_status_list
from pipeline.store.models import Credential, IssuerKey
from pipeline.store.status_slots import ensure_status_list

from .conftest import FW, NOW, PUBLIC, REGISTRY, URLS, make_published, public_urls, record, whole_level_event

DID = "did:web:badges.example.org"


def test_healthz(published):
    app = published()
    response = app.get("/healthz")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"


def test_healthz_reports_an_unreachable_database(tmp_path):
    app = make_published(f"sqlite:///{tmp_path}/store.sqlite3", tmp_path / "data")
    app.services.engine.dispose()
    (tmp_path / "store.sqlite3").unlink()
    (tmp_path / "store.sqlite3").mkdir()  # a folder where the database file was: connecting fails
    try:
        response = app.get("/healthz")
        assert response.status_code == 503
        assert response.get_json() == {"status": "degraded", "checks": {"database": False}}
    finally:
        app.services.close()


def test_status_list_is_served_as_stored_once_signed(published):
    app = published()
    assert app.get("/status/1").status_code == 404
    with app.services.sessions.begin() as s:
        ensure_status_list(s, list_id="1", purpose="revocation", now=NOW)
    assert app.get("/status/1").status_code == 404  # a list nobody signed yet is not served
    with app.services.sessions.begin() as s:
        identity = load_issuing_identity(app.settings, s, NOW)
        signed = publish_status_list(s, "1", identity=identity, public_url=PUBLIC, now=NOW)
    response = app.get(f"{PUBLIC}/status/1")
    assert response.status_code == 200 and response.mimetype == "application/vc"
    assert json.loads(response.data) == signed
    assert response.headers["Access-Control-Allow-Origin"] == "*" and "max-age=60" in response.headers["Cache-Control"]
    served = json.loads(response.data)
    assert served["id"] == f"{PUBLIC}/status/1" and served["credentialSubject"]["statusPurpose"] == "revocation"
    report = verify_credential(served, resolve_key=identity.resolve_key, now=NOW)
    assert report.verified, report.as_dict()
    assert app.get("/status/2").status_code == 404


def test_did_key_issuer_serves_no_did_document(published):
    app = published()
    assert app.get("/.well-known/did.json").status_code == 404


@pytest.mark.parametrize(("did", "path", "absent"), [
    (DID, "/.well-known/did.json", "/did.json"),
    (f"{DID}:issuers:pharmacy", "/issuers/pharmacy/did.json", "/.well-known/did.json"),
])
def test_did_web_document_at_the_did_web_path_lists_the_recorded_keys(published, tmp_path, did, path, absent):
    app = published(issuer_did=did)
    assert did_web_document_url(did) == "https://badges.example.org" + path
    empty = app.get_json(path)
    assert (empty["id"], empty["verificationMethod"]) == (did, [])
    old = Ed25519Key.generate()
    with app.services.sessions.begin() as s:
        s.add(IssuerKey(id=f"{did}#{old.public_multibase}", public_key_multibase=old.public_multibase,
                        key_ref="retired.pem", created_at=NOW - timedelta(days=400), retired_at=NOW))
        current = load_issuing_identity(app.settings, s, NOW)
    response = app.get(path)
    assert response.status_code == 200 and response.mimetype == "application/did+json"
    document = json.loads(response.data)
    old_vm, new_vm = f"{did}#{old.public_multibase}", current.signer.verification_method
    assert [(m["id"], m["publicKeyMultibase"]) for m in document["verificationMethod"]] == [
        (old_vm, old.public_multibase), (new_vm, load_or_create_key(app.settings).public_multibase)]
    assert document["assertionMethod"] == [old_vm, new_vm] and document["authentication"] == [new_vm]
    assert app.get(absent).status_code == 404


def test_did_document_follows_new_keys_without_a_restart(published):
    app = published(issuer_did=DID)
    settings = app.settings
    with app.services.sessions.begin() as s:
        record_key(s, settings, load_or_create_key(settings), NOW)
    assert len(app.get_json("/.well-known/did.json")["verificationMethod"]) == 1
    rotated = settings.model_copy(update={"key_file": settings.data_dir / "next-key.pem"})
    with app.services.sessions.begin() as s:
        record_key(s, rotated, load_or_create_key(rotated), NOW + timedelta(days=1))
    assert len(app.get_json("/.well-known/did.json")["verificationMethod"]) == 2


def test_worker_credential_for_a_did_web_issuer_verifies_with_keys_fetched_from_the_app(published):
    app = published(issuer_did=DID, issuer_name="Pharmacy Skills Board")
    services, settings = app.services, app.settings
    processor = Processor(sessions=services.sessions, registry=REGISTRY, urls=URLS, public_url=PUBLIC,
                          clock=lambda: NOW, identity=lambda s, now: load_issuing_identity(settings, s, now))
    result = process_event(processor, record(services, whole_level_event("exam-1", "proficient")))
    assert (result.state, result.code, result.levels) == ("processed", LEVELS_REACHED, ("proficient",))
    with services.sessions() as s:
        credential = s.get(Credential, result.credential_ids[0]).document
    assert credential["issuer"]["id"] == DID
    assert credential["proof"][0]["verificationMethod"].startswith(DID + "#")

    served = app.get_json("/.well-known/did.json")
    resolver = StaticKeyResolver({DID: served})
    report = verify_credential(credential, resolve_key=resolver, now=NOW + timedelta(minutes=1))
    assert report.verified, report.as_dict()
    assert [c.outcome.value for c in report.checks] == ["pass"] * 7  # incl. resources (framework digest)
    # without the served document the key cannot be found: the keys really came from the app
    assert not verify_credential(credential, resolve_key=StaticKeyResolver(), now=NOW).verified

    status = credential["credentialStatus"]
    status_list = app.get_json(status["statusListCredential"], "application/vc")
    assert verify_credential(status_list, resolve_key=resolver, now=NOW).verified
    bits = Bitstring.decode(status_list["credentialSubject"]["encodedList"])
    assert bits.get(int(status["statusListIndex"])) == 0  # not revoked

    achievement = credential["credentialSubject"]["achievement"]
    assert app.get_json(achievement["id"]) == achievement  # the Achievement id serves that very Achievement

    urls = public_urls(credential)
    assert {URLS.document(FW), URLS.rubric(FW), URLS.level(FW, "proficient"), URLS.statement(FW, "P10"),
            URLS.achievement(FW, "proficient"), URLS.achievement_image(FW, "proficient"),
            status["statusListCredential"]} <= urls
    assert len(urls) >= 15
    for url in sorted(urls):  # every URL of ours in the credential dereferences
        assert app.get(url).status_code == 200, url
        assert app.get(url, "application/json").status_code == 200, url


def test_issuer_page_is_where_credentials_link_the_issuer(published):
    """`issuer.url` of our credentials is `/issuer`: the issuer's name, DID and keys for a person,
    its OB Profile for a JSON client (not the verifier page at the root)."""
    site = published(issuer_did=DID, issuer_name="Northside Credentialing")
    with site.services.sessions.begin() as session:
        identity = load_issuing_identity(site.settings, session, NOW)
    assert identity.profile.url == f"{PUBLIC}/issuer"
    page = site.get("/issuer")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Northside Credentialing" in html and DID in html
    assert "current" in html and "/.well-known/did.json" in html
    profile = site.get("/issuer", "application/json").get_json()
    assert profile["id"] == DID and profile["type"] == ["Profile"] and profile["name"] == "Northside Credentialing"
