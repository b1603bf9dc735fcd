"""`POST /credentials/issue` over HTTP: the feature switch, the admin key, request shapes and
status codes. Signing happens behind a `CredentialIssuer`; here an in-process one that runs the
worker's use case with a real key (the process boundary is the only thing left out)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from issuer.dids import StaticKeyResolver
from issuer.verify import verify_credential
from pipeline.errors import SettingsError
from pipeline.issue_service import UNKNOWN_OPTION_PROVIDED, IssuerUnavailable, issue_result
from pipeline.services import build_services
from pipeline.settings import Settings
from pipeline.vcapi import MAX_ISSUE_BODY_BYTES, admin_key_digest, admin_key_hash, is_admin_key
from pipeline.web import create_app

from .conftest import ADMIN_HASH, ADMIN_KEY, AUTH, NOW

PROBLEM_JSON = "application/problem+json"


class InProcessIssuer:
    """The worker's use case, called directly; records what it was handed."""

    def __init__(self, identity) -> None:
        self.identity, self.calls = identity, []

    def issue(self, credential: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((credential, options))
        return issue_result(json.dumps(credential), options, self.identity, NOW)


class DownIssuer:
    def issue(self, credential, options):
        raise IssuerUnavailable("no worker signed within 10 s", code="issuer_timeout")


class BrokenIssuer:
    def issue(self, credential, options):
        raise RuntimeError("worker crashed with a secret in the message")


def make_client(tmp_path, issuer, **settings):
    config = Settings.explicit(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}", **settings)
    app = create_app(config, services=build_services(config), mount_verifier=False, credential_issuer=issuer)
    return app.test_client()


@pytest.fixture
def issuer(identity) -> InProcessIssuer:
    return InProcessIssuer(identity)


@pytest.fixture
def client(tmp_path, issuer):
    return make_client(tmp_path, issuer, admin_key_hash=ADMIN_HASH)


def test_issues_201_with_a_verifiable_credential(client, credential, identity):
    response = client.post("/credentials/issue", json={"credential": credential, "options": {}}, headers=AUTH)
    assert response.status_code == 201 and response.mimetype == "application/json"
    signed = response.get_json()["verifiableCredential"]
    assert signed["proof"][0]["verificationMethod"] == identity.signer.verification_method
    assert verify_credential(signed, resolve_key=StaticKeyResolver(), now=NOW).verified


def test_options_may_be_omitted(client, credential):
    assert client.post("/credentials/issue", json={"credential": credential}, headers=AUTH).status_code == 201


def test_without_an_admin_key_the_route_does_not_exist(tmp_path, issuer, credential):
    client = make_client(tmp_path, issuer)
    response = client.post("/credentials/issue", json={"credential": credential}, headers=AUTH)
    assert response.status_code == 404 and response.mimetype == PROBLEM_JSON
    assert response.get_json()["code"] == "not_found" and issuer.calls == []


@pytest.mark.parametrize("headers, challenge", [
    ({}, 'Bearer realm="badgeline"'),
    ({"Authorization": "Bearer wrong-key"}, 'Bearer realm="badgeline", error="invalid_token"'),
    ({"Authorization": f"Basic {ADMIN_KEY}"}, 'Bearer realm="badgeline", error="invalid_token"'),
    ({"Authorization": f"Bearer {ADMIN_KEY}x"}, 'Bearer realm="badgeline", error="invalid_token"'),
    ({"Authorization": f"Bearer {ADMIN_HASH}"}, 'Bearer realm="badgeline", error="invalid_token"'),
])
def test_the_admin_key_is_required(client, issuer, credential, headers, challenge):
    response = client.post("/credentials/issue", json={"credential": credential}, headers=headers)
    assert response.status_code == 401 and response.mimetype == PROBLEM_JSON
    assert response.get_json()["code"] == "unauthenticated"
    assert response.headers["WWW-Authenticate"] == challenge
    assert issuer.calls == []  # nothing reaches the signer


def test_auth_is_checked_before_the_body(client):
    response = client.post("/credentials/issue", data=b"{not json", content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize("data, code", [
    (b"{not json", "malformed_json"), (b"", "malformed_json"), (b"\xff\xfe", "malformed_json"),
    (b"[]", "body_not_object"), (b'"credential"', "body_not_object"), (b"{}", "credential_missing"),
    (b'{"credential": null}', "credential_missing"), (b'{"credential": {}, "options": 3}', "options_invalid"),
])
def test_malformed_bodies_are_400_never_5xx(client, issuer, data, code):
    response = client.post("/credentials/issue", data=data, content_type="application/json", headers=AUTH)
    assert response.status_code == 400 and response.mimetype == PROBLEM_JSON
    body = response.get_json()
    assert body["code"] == code and body["status"] == 400 and body["detail"]
    assert issuer.calls == []  # refused in the web process, no task sent


def test_unknown_options_are_400_with_the_vcalm_type(client, issuer, credential):
    response = client.post("/credentials/issue", json={"credential": credential, "options": {"foo": 1}},
                           headers=AUTH)
    assert response.status_code == 400
    assert response.get_json()["type"] == UNKNOWN_OPTION_PROVIDED and issuer.calls == []


def test_credential_refusals_from_the_signer_are_400_with_the_reason(client, credential):
    credential["issuer"] = "did:example:someone-else"
    response = client.post("/credentials/issue", json={"credential": credential}, headers=AUTH)
    assert response.status_code == 400 and response.mimetype == PROBLEM_JSON
    body = response.get_json()
    assert (body["code"], body["path"], body["status"]) == ("issuer_not_ours", "/issuer", 400)
    assert body["type"] == "https://www.w3.org/TR/vc-data-model#MALFORMED_VALUE_ERROR"


def test_data_model_breaches_are_one_422_listing_every_problem(client, credential):
    credential["credentialStatus"] = {"id": "https://example.org/status/1"}
    credential["termsOfUse"] = [{"type": "IssuerPolicy"}, {"id": "https://example.org/terms"}]
    credential["relatedResource"] = [{"id": "https://example.org/a"}, "https://example.org/b"]
    response = client.post("/credentials/issue", json={"credential": credential}, headers=AUTH)
    assert response.status_code == 422 and response.mimetype == PROBLEM_JSON
    body = response.get_json()
    assert (body["code"], body["status"]) == ("credential_invalid", 422)
    assert [(e["code"], e["path"]) for e in body["errors"]] == [
        ("type_missing", "/credentialStatus/type"), ("type_missing", "/termsOfUse/1/type"),
        ("related_resource_digest_missing", "/relatedResource/0"),
        ("related_resource_not_object", "/relatedResource/1")]


def test_a_body_over_the_limit_is_413(client):
    data = b'{"credential": {"x": "' + b"a" * MAX_ISSUE_BODY_BYTES + b'"}}'
    response = client.post("/credentials/issue", data=data, content_type="application/json", headers=AUTH)
    assert response.status_code == 413 and response.get_json()["code"] == "payload_too_large"


def test_no_worker_in_time_is_503_with_retry_after(tmp_path, credential):
    client = make_client(tmp_path, DownIssuer(), admin_key_hash=ADMIN_HASH)
    response = client.post("/credentials/issue", json={"credential": credential}, headers=AUTH)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.get_json()["code"] == "issuer_timeout"


def test_a_crashed_worker_is_500_without_details(tmp_path, credential):
    client = make_client(tmp_path, BrokenIssuer(), admin_key_hash=ADMIN_HASH)
    response = client.post("/credentials/issue", json={"credential": credential}, headers=AUTH)
    assert response.status_code == 500 and "secret" not in response.get_data(as_text=True)


def test_a_malformed_admin_key_hash_stops_the_app(tmp_path, issuer):
    with pytest.raises(SettingsError) as caught:
        make_client(tmp_path, issuer, admin_key_hash="md5$abc")
    assert caught.value.code == "admin_key_hash_invalid"


def test_key_hash_round_trip():
    digest = admin_key_digest(admin_key_hash("k"))
    assert is_admin_key("k", digest) and not is_admin_key("K", digest) and not is_admin_key(None, digest)
    assert admin_key_digest("sha256$" + "AB" * 32) == bytes.fromhex("ab" * 32)  # hex case-insensitive


def test_the_cli_prints_a_key_and_its_hash():
    from click.testing import CliRunner

    from pipeline.cli import main

    first = json.loads(CliRunner().invoke(main, ["admin-key", "--json"]).output)
    second = json.loads(CliRunner().invoke(main, ["admin-key", "--json"]).output)
    assert first["key"] != second["key"] and len(first["key"]) >= 43
    assert first["hash"] == admin_key_hash(first["key"])
    assert is_admin_key(first["key"], admin_key_digest(first["hash"]))
    text = CliRunner().invoke(main, ["admin-key"]).output
    assert "BADGELINE_ADMIN_KEY_HASH=sha256$" in text
