"""OID4VCI 1.0 and RFC 6749 / 6750 errors of the wallet endpoints, on SQLite and PostgreSQL: wrong,
reused or expired codes (`invalid_grant`), bad tokens (`invalid_token`, 401 + WWW-Authenticate),
bad proofs (`invalid_proof`), bad nonces (`invalid_nonce`), unsupported formats and unknown
configurations; never a 5xx. The worker's use case runs in process here (tests/wallet/conftest.py);
the end-to-end tests use a real worker."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from issuer.keys import Ed25519Key
from pipeline.store.models import Credential
from pipeline.wallet.offers import CONFIGURATION_ID, PRE_AUTHORIZED_GRANT

from .conftest import Local
from .holder import Holder


def path(url: str) -> str:
    return urlsplit(url).path


def code_of(local: Local, links) -> str:
    offer = local.client.get(path(links.credential_offer_uri)).get_json()
    return offer["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]


def token_response(local: Local, code: str | None, grant: str | None = PRE_AUTHORIZED_GRANT):
    form = {k: v for k, v in {"grant_type": grant, "pre-authorized_code": code}.items() if v is not None}
    return local.client.post("/oid4vci/token", data=form)


def access_token(local: Local) -> str:
    response = token_response(local, code_of(local, local.offer()))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["access_token"]


def nonce(local: Local) -> str:
    return local.client.post("/oid4vci/nonce").get_json()["c_nonce"]


def credential_response(local: Local, token: str | None, body):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return local.client.post("/oid4vci/credential", data=data, headers=headers, content_type="application/json")


def request_with(proof) -> dict:
    return {"credential_configuration_id": CONFIGURATION_ID, "proofs": {"jwt": [proof]}}


def expect(response, status: int, error: str) -> dict:
    body = response.get_json()
    assert (response.status_code, body["error"]) == (status, error), body
    assert response.headers["Cache-Control"] == "no-store"
    return body


# --- metadata and the offer ----------------------------------------------------------------------
def test_metadata_names_one_ldp_vc_configuration_with_eddsa_jwt_proofs(local: Local):
    metadata = local.client.get("/.well-known/openid-credential-issuer").get_json()
    assert metadata["credential_issuer"] == local.public_url
    config = metadata["credential_configurations_supported"][CONFIGURATION_ID]
    assert config["format"] == "ldp_vc"
    assert config["credential_definition"]["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" in config["credential_definition"]["@context"]
    assert config["proof_types_supported"] == {"jwt": {"proof_signing_alg_values_supported": ["EdDSA"]}}
    assert config["cryptographic_binding_methods_supported"] == ["did:key"]
    server = local.client.get("/.well-known/oauth-authorization-server").get_json()
    assert server["token_endpoint"] == metadata["credential_issuer"] + "/oid4vci/token"
    assert server["pre-authorized_grant_anonymous_access_supported"] is True


def test_the_offer_expires_after_ten_minutes(local: Local):
    links = local.offer()
    assert links.expires_at - local.clock[0] == timedelta(minutes=10)
    offer = local.client.get(path(links.credential_offer_uri)).get_json()
    assert offer["credential_issuer"] == local.public_url and offer["credential_configuration_ids"] == [CONFIGURATION_ID]
    local.clock[0] += timedelta(minutes=10, seconds=1)
    assert local.client.get(path(links.credential_offer_uri)).status_code == 410
    expect(token_response(local, offer["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]), 400, "invalid_grant")
    assert local.client.get(path(links.credential_offer_uri) + "x").status_code == 404


# --- token endpoint ------------------------------------------------------------------------------
def test_token_errors(local: Local):
    code = code_of(local, local.offer())
    expect(token_response(local, code, grant=None), 400, "invalid_request")
    expect(token_response(local, code, grant="authorization_code"), 400, "unsupported_grant_type")
    expect(token_response(local, None), 400, "invalid_request")
    expect(token_response(local, "pac_wrong"), 400, "invalid_grant")
    ok = token_response(local, code)
    assert ok.status_code == 200 and ok.get_json()["token_type"] == "Bearer" and ok.get_json()["expires_in"] == 600
    assert ok.headers["Cache-Control"] == "no-store"
    expect(token_response(local, code), 400, "invalid_grant")  # reused


# --- credential endpoint -------------------------------------------------------------------------
def test_a_good_request_gets_the_bound_credential_once(local: Local):
    holder, token = Holder(), access_token(local)
    response = credential_response(local, token, request_with(holder.proof(aud=local.public_url, nonce=nonce(local))))
    assert response.status_code == 200, response.get_json()
    vc = response.get_json()["credentials"][0]["credential"]
    assert vc["credentialSubject"]["id"] == holder.did and vc["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    again = credential_response(local, token, request_with(holder.proof(aud=local.public_url, nonce=nonce(local))))
    assert "invalid_token" in again.headers["WWW-Authenticate"]
    expect(again, 401, "invalid_token")


def test_token_errors_at_the_credential_endpoint(local: Local):
    holder = Holder()
    body = request_with(holder.proof(aud=local.public_url, nonce=nonce(local)))
    response = expect(credential_response(local, None, body), 401, "invalid_token")
    assert response["error_description"]
    expect(credential_response(local, "at_wrong", body), 401, "invalid_token")
    token = access_token(local)
    local.clock[0] += timedelta(minutes=11)
    expect(credential_response(local, token, body), 401, "invalid_token")


@pytest.mark.parametrize(("body", "error"), [
    ({"format": "jwt_vc_json", "proofs": {"jwt": ["x"]}}, "unsupported_credential_format"),
    ({"format": "ldp_vc", "proofs": {"jwt": ["x"]}}, "invalid_credential_request"),
    ({"proofs": {"jwt": ["x"]}}, "invalid_credential_request"),
    ({"credential_configuration_id": "UniversityDegree_jwt", "proofs": {"jwt": ["x"]}},
     "unknown_credential_configuration"),
    ("{not json", "invalid_request"),
    ("[1, 2]", "invalid_request"),
])
def test_request_shape_errors(local: Local, body, error):
    expect(credential_response(local, access_token(local), body), 400, error)


OTHER = Ed25519Key.from_seed(bytes(range(1, 33)))
BAD_PROOFS = {
    "no proof": lambda h, aud, n: {"credential_configuration_id": CONFIGURATION_ID},
    "two proofs": lambda h, aud, n: {"credential_configuration_id": CONFIGURATION_ID,
                                     "proofs": {"jwt": [h.proof(aud=aud, nonce=n)] * 2}},
    "another proof type": lambda h, aud, n: {"credential_configuration_id": CONFIGURATION_ID,
                                             "proofs": {"di_vp": [{"type": "VerifiablePresentation"}]}},
    "not a JWS": lambda h, aud, n: request_with("abc"),
    "not a string": lambda h, aud, n: request_with(123),
    "header not JSON": lambda h, aud, n: request_with("e30x.e30.e30"),
    "wrong typ": lambda h, aud, n: request_with(h.proof(aud=aud, nonce=n, header={"typ": "JWT"})),
    "alg HS256": lambda h, aud, n: request_with(h.proof(aud=aud, nonce=n, header={"alg": "HS256"})),
    "alg none": lambda h, aud, n: request_with(h.proof(aud=aud, nonce=n, header={"alg": "none"})),
    "kid not did:key": lambda h, aud, n: request_with(h.proof(aud=aud, nonce=n, header={"kid": "did:web:x#k"})),
    "kid without fragment": lambda h, aud, n: request_with(h.proof(aud=aud, nonce=n, header={"kid": h.did})),
    "jwk beside kid": lambda h, aud, n: request_with(h.proof(aud=aud, nonce=n, header={"jwk": {"kty": "OKP"}})),
    "signed by another key": lambda h, aud, n: request_with(h.proof(aud=aud, nonce=n, signer=OTHER)),
    "wrong aud": lambda h, aud, n: request_with(h.proof(aud="https://elsewhere.example", nonce=n)),
    "iat an hour ago": lambda h, aud, n: request_with(h.proof(aud=aud, nonce=n, iat=1)),
    "iat not a number": lambda h, aud, n: request_with(h.proof(aud=aud, nonce=n, claims={"iat": "now"})),
}


@pytest.mark.parametrize("case", sorted(BAD_PROOFS))
def test_bad_proofs_are_invalid_proof(local: Local, case):
    body = BAD_PROOFS[case](Holder(), local.public_url, nonce(local))
    expect(credential_response(local, access_token(local), body), 400, "invalid_proof")


def test_nonce_errors(local: Local):
    holder, aud = Holder(), local.public_url
    expect(credential_response(local, access_token(local), request_with(holder.proof(aud=aud, nonce=None))),
           400, "invalid_nonce")
    expect(credential_response(local, access_token(local), request_with(holder.proof(aud=aud, nonce="made-up"))),
           400, "invalid_nonce")
    used = nonce(local)
    assert credential_response(local, access_token(local), request_with(holder.proof(aud=aud, nonce=used))).status_code == 200
    expect(credential_response(local, access_token(local), request_with(holder.proof(aud=aud, nonce=used))),
           400, "invalid_nonce")
    stale = nonce(local)
    local.clock[0] += timedelta(minutes=5, seconds=1)
    late = holder.proof(aud=aud, nonce=stale, iat=local.clock[0].timestamp())
    expect(credential_response(local, access_token(local), request_with(late)), 400, "invalid_nonce")


def test_a_credential_revoked_after_the_offer_is_denied(local: Local):
    token = access_token(local)
    with local.services.sessions.begin() as session:
        session.get(Credential, local.credential.id).revoked_at = local.clock[0]
    holder = Holder()
    body = expect(credential_response(local, token, request_with(holder.proof(aud=local.public_url, nonce=nonce(local)))),
                  400, "credential_request_denied")
    assert "revoked" in body["error_description"]


def test_the_rfc_9864_name_ed25519_is_accepted_too(local: Local):
    holder = Holder()
    proof = holder.proof(aud=local.public_url, nonce=nonce(local), header={"alg": "Ed25519"})
    response = credential_response(local, access_token(local), request_with(proof))
    assert response.status_code == 200, response.get_json()


def test_no_worker_within_the_timeout_is_503_and_the_token_stays_usable(local: Local, stack_factory, shared_redis):
    from pipeline.wallet.signing import CeleryBoundIssuer
    from pipeline.web import create_app

    stack = stack_factory(shared_redis)  # a broker and a queue, but no worker on it
    app = create_app(local.services.settings, services=local.services, mount_verifier=False,
                     bound_issuer=CeleryBoundIssuer(stack.app, timeout_s=1))
    token, holder = access_token(local), Holder()
    waiting = app.test_client().post("/oid4vci/credential", json=request_with(
        holder.proof(aud=local.public_url, nonce=nonce(local))), headers={"Authorization": f"Bearer {token}"})
    body = expect(waiting, 503, "temporarily_unavailable")
    assert waiting.headers["Retry-After"] and "1 s" in body["error_description"]
    retried = credential_response(local, token, request_with(holder.proof(aud=local.public_url, nonce=nonce(local))))
    assert retried.status_code == 200, retried.get_json()


def test_the_workers_use_case_is_idempotent_for_its_holder_only(local: Local):
    from pipeline.store.models import WalletOffer
    from pipeline.wallet.offers import digest

    links = local.offer()
    token_response(local, code_of(local, links))  # redeemed: the worker may now issue
    issuer, first = local.bound, Holder()
    one = issuer.issue(digest(links.secret), first.did)
    again = issuer.issue(digest(links.secret), first.did)  # a redelivered task
    assert one == again and one["verifiableCredential"]["credentialSubject"]["id"] == first.did
    other = issuer.issue(digest(links.secret), Holder().did)
    assert other["error"] == "credential_request_denied"
    with local.services.read_sessions() as session:
        assert session.get(WalletOffer, digest(links.secret)).issued_credential_id == one["verifiableCredential"]["id"]
