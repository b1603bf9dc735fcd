"""Errors of the VC API exchange (DID authentication) and of the offer route of the provider API,
on SQLite and PostgreSQL. The holder here signs its DID-authentication presentation with our own
issuer code (eddsa-rdfc-2022, purpose `authentication`) and its own did:key."""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from issuer.cryptosuites import add_proof
from issuer.keys import Ed25519Key, did_key_signer
from pipeline.store.api_keys import Scope, create_api_key
from pipeline.store.models import Credential, WalletOffer

from .conftest import FW, Local


def exchange_path(links) -> str:
    return urlsplit(links.exchange_url).path


def did_auth(key: Ed25519Key, *, challenge: str, domain: str, **extra) -> dict:
    vp = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"],
          "holder": key.did_key, **extra}
    return add_proof(vp, signer=did_key_signer(key), created=None, proof_purpose="authentication",
                     challenge=challenge, domain=domain)


def start(local: Local):
    links = local.offer()
    response = local.client.post(exchange_path(links), json={})
    assert response.status_code == 200, response.get_json()
    return links, response.get_json()["verifiablePresentationRequest"]


def post_vp(local: Local, links, vp):
    return local.client.post(exchange_path(links), json={"verifiablePresentation": vp})


def expect(response, status: int, error: str) -> None:
    assert (response.status_code, response.get_json()["error"]) == (status, error), response.get_json()


def test_the_holder_gets_its_credential_and_may_retry_only_itself(local: Local):
    links, vpr = start(local)
    key = Ed25519Key.generate()
    vp = did_auth(key, challenge=vpr["challenge"], domain=vpr["domain"])
    response = post_vp(local, links, vp)
    assert response.status_code == 200, response.get_json()
    [vc] = response.get_json()["verifiablePresentation"]["verifiableCredential"]
    assert vc["credentialSubject"]["id"] == key.did_key
    expect(post_vp(local, links, vp), 410, "offer_gone")  # issued: single use, even for the same holder
    other = Ed25519Key.generate()
    expect(post_vp(local, links, did_auth(other, challenge=vpr["challenge"], domain=vpr["domain"])), 410, "offer_gone")
    expect(local.client.post(exchange_path(links), json={}), 410, "offer_gone")
    listing = local.client.get("/api/v1/learners/ana@example.org/credentials",
                               headers={"Authorization": f"Bearer {api_key_for(local)}"}).get_json()
    assert [c["id"] for c in listing["credentials"]] == [local.credential.id]  # the wallet copy is not listed


@pytest.mark.parametrize("case", ["wrong challenge", "wrong domain", "no holder", "holder not did:key",
                                  "signed by another key", "carries a credential", "assertion purpose",
                                  "not an object", "unsigned"])
def test_bad_presentations_are_refused(local: Local, case):
    links, vpr = start(local)
    key, challenge, domain = Ed25519Key.generate(), vpr["challenge"], vpr["domain"]
    vp = {
        "wrong challenge": lambda: did_auth(key, challenge="other", domain=domain),
        "wrong domain": lambda: did_auth(key, challenge=challenge, domain="https://evil.example"),
        "no holder": lambda: {k: v for k, v in did_auth(key, challenge=challenge, domain=domain).items()
                              if k != "holder"},
        "holder not did:key": lambda: did_auth(key, challenge=challenge, domain=domain, holder="did:web:x.example"),
        "signed by another key": lambda: {**did_auth(Ed25519Key.generate(), challenge=challenge, domain=domain),
                                          "holder": key.did_key},
        "carries a credential": lambda: did_auth(key, challenge=challenge, domain=domain,
                                                 verifiableCredential=[local.credential.document]),
        "assertion purpose": lambda: add_proof({"@context": ["https://www.w3.org/ns/credentials/v2"],
                                                "type": ["VerifiablePresentation"], "holder": key.did_key},
                                               signer=did_key_signer(key), created=None,
                                               challenge=challenge, domain=domain),
        "not an object": lambda: "a string",
        "unsigned": lambda: {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"],
                             "holder": key.did_key},
    }[case]()
    expect(post_vp(local, links, vp), 400, "invalid_presentation")
    with local.services.read_sessions() as session:  # nothing redeemed, nothing issued
        offer = session.scalars(select(WalletOffer)).one()
        assert offer.redeemed_at is None and offer.issued_credential_id is None


def test_exchange_errors(local: Local):
    expect(local.client.post("/exchanges/unknown", json={}), 404, "not_found")
    expect(local.client.post("/exchanges/unknown", json={"verifiablePresentation": {}}), 404, "not_found")
    links, vpr = start(local)
    expect(local.client.post(exchange_path(links), data="{not json", content_type="application/json"),
           400, "invalid_request")
    key = Ed25519Key.generate()
    vp = did_auth(key, challenge=vpr["challenge"], domain=vpr["domain"])
    local.clock[0] += timedelta(minutes=10, seconds=1)
    expect(post_vp(local, links, vp), 410, "offer_gone")


# --- the offer page and the provider API route ----------------------------------------------------
def test_the_offer_page_shows_both_links_as_qr_codes(local: Local):
    links = local.offer()
    page = local.client.get(urlsplit(links.page_url).path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert html.count("<svg") == 2 and links.openid_link.replace("&", "&amp;") in html
    assert links.lcw_link.replace("&", "&amp;") in html
    assert local.client.get("/offers/unknown").status_code == 404
    local.clock[0] += timedelta(minutes=11)
    assert local.client.get(urlsplit(links.page_url).path).status_code == 410


def api_key_for(local: Local, provider_name: str | None = None) -> str:
    from pipeline.store.models import Provider

    with local.services.sessions.begin() as session:
        if provider_name is None:  # the provider whose event produced the credential
            provider_id = session.scalars(select(Provider.id)).first()
        else:
            provider = Provider(name=provider_name, created_at=local.clock[0])
            session.add(provider)
            session.flush()
            provider_id = provider.id
        return create_api_key(session, provider_id=provider_id, scopes=[Scope(FW["id"])], now=local.clock[0])[1]


def test_the_api_offer_route(local: Local):
    uuid_part = local.credential.id.removeprefix("urn:uuid:")
    key = api_key_for(local)
    auth = {"Authorization": f"Bearer {key}"}
    created = local.client.post(f"/api/v1/credentials/{uuid_part}/offer", headers=auth)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["credential_offer_link"].startswith("openid-credential-offer://?credential_offer_uri=")
    assert body["credential_offer_uri"].startswith(local.public_url + "/oid4vci/offers/")
    assert body["expires_at"].endswith("Z") and body["lcw_link"].startswith("https://lcw.app/mobile?request=")
    assert local.client.post(f"/api/v1/credentials/{uuid_part}/offer").status_code == 401
    assert local.client.post(f"/api/v1/credentials/{uuid.uuid4()}/offer", headers=auth).status_code == 404
    assert local.client.post("/api/v1/credentials/not-a-uuid/offer", headers=auth).status_code == 404
    stranger = {"Authorization": f"Bearer {api_key_for(local, 'Stranger ' + uuid.uuid4().hex[:6])}"}
    hidden = local.client.post(f"/api/v1/credentials/{uuid_part}/offer", headers=stranger)
    assert hidden.status_code == 404 and hidden.content_type == "application/problem+json"
    with local.services.sessions.begin() as session:
        session.get(Credential, local.credential.id).revoked_at = local.clock[0]
    revoked = local.client.post(f"/api/v1/credentials/{uuid_part}/offer", headers=auth)
    assert revoked.status_code == 409 and revoked.get_json()["code"] == "credential_revoked"
