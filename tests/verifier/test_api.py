"""The VC API contract, as the W3C VC test suites exercise it (200 only when verified; 400 with
the same body otherwise; never a 5xx for bad input)."""

from __future__ import annotations

import copy
import json

import pytest

from issuer.cryptosuites import add_proof
from issuer.keys import did_key_signer
from issuer.problems import PARSING_ERROR
from tests.verifier.conftest import load_scenario, scenario_bytes, scenario_names
from tests.verifier.fixtures.generate import CREATED, OTHER

UNKNOWN_OPTION = "https://www.w3.org/TR/vcalm#UNKNOWN_OPTION_PROVIDED"


def _valid() -> dict:
    return load_scenario("valid")["input"]["value"]


def _post(client, body, path="/credentials/verify"):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_valid_credential_is_200_with_the_vc_api_body(client):
    response = _post(client, {"verifiableCredential": _valid(), "options": {"checks": ["proof"]}})
    assert response.status_code == 200
    body = response.get_json()
    assert body["verified"] is True and body["problemDetails"] == [] and body["errors"] == []
    assert [c["check"] for c in body["checks"]] == ["parse", "contexts", "schema", "resources", "proof", "issuer", "validity",
                                                     "status", "framework"]
    assert "credential" not in body


def test_return_credential_option(client):
    body = _post(client, {"verifiableCredential": _valid(), "options": {"returnCredential": True}}).get_json()
    assert body["credential"]["id"] == _valid()["id"]


@pytest.mark.parametrize("name", [n for n in scenario_names()
                                  if load_scenario(n)["input"]["encoding"] != "base64"])
def test_every_scenario_through_the_api(client, name):
    case = load_scenario(name)
    value = case["input"]["value"]
    response = _post(client, {"verifiableCredential": value})
    assert response.status_code == (200 if case["expect"]["verified"] else 400)
    assert response.get_json()["verdict"] == case["expect"]["verdict"]


def test_a_failed_check_is_400_with_the_same_body(client):
    response = _post(client, {"verifiableCredential": load_scenario("revoked")["input"]["value"]})
    assert response.status_code == 400
    body = response.get_json()
    assert body["verified"] is False
    assert {p["code"] for p in body["problemDetails"]} == {"revoked"}
    assert body["errors"][0]["type"] == "https://www.w3.org/ns/credentials/status-list#STATUS_VERIFICATION_ERROR"


def test_cannot_check_is_not_verified_with_its_own_code(client):
    response = _post(client, {"verifiableCredential": load_scenario("unreachable-list")["input"]["value"]})
    assert response.status_code == 400
    body = response.get_json()
    assert body["verified"] is False and body["verdict"] == "incomplete"
    assert [e["code"] for e in body["errors"]] == ["verification_incomplete", "status_list_unreachable"]
    assert body["warnings"][0]["code"] == "status_list_unreachable"


@pytest.mark.parametrize("body, code", [
    ({}, "verifiableCredential_missing"),
    ({"credential": {}}, "verifiableCredential_missing"),
    ([], "body_not_object"),
    ({"verifiableCredential": "a string"}, "not_an_object"),
    ({"verifiableCredential": None}, "not_an_object"),
    ({"verifiableCredential": 42}, "not_an_object"),
    ({"verifiableCredential": {"@context": "x"}}, "context_missing"),
    ({"verifiableCredential": {}, "options": []}, "options_invalid"),
    ({"verifiableCredential": {}, "options": {"checks": "proof"}}, "options_invalid"),
])
def test_malformed_input_is_400(client, body, code):
    response = _post(client, body)
    assert response.status_code == 400
    payload = response.get_json()
    assert payload["verified"] is False
    assert code in [p["code"] for p in payload["problemDetails"]]


def test_proof_null_is_400(client):
    credential = copy.deepcopy(_valid())
    credential["proof"] = None
    response = _post(client, {"verifiableCredential": credential})
    assert response.status_code == 400
    assert "proof_missing" in [p["code"] for p in response.get_json()["problemDetails"]]


def test_unknown_option_is_400_unknown_option_provided(client):
    response = _post(client, {"verifiableCredential": _valid(), "options": {"frobnicate": True}})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"] == UNKNOWN_OPTION and "frobnicate" in body["detail"]


@pytest.mark.parametrize("raw", [b"", b"not json", b"{", b"\xff\xfe", b"[1,2", b"null"])
def test_unparseable_bodies_are_400_problem_json(client, raw):
    response = client.post("/credentials/verify", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["verified"] is False


def test_body_over_2_mib_is_413_problem_json(client):
    response = client.post("/credentials/verify", data=b" " * (2 * 1024 * 1024 + 1), content_type="application/json")
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_enveloped_jwt_credential(client):
    jws = load_scenario("jwt-valid")["input"]["value"]
    envelope = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "EnvelopedVerifiableCredential",
                "id": f"data:application/vc+jwt,{jws}"}
    response = _post(client, {"verifiableCredential": envelope})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["format"] == "enveloped"
    envelope["id"] = "data:application/vc+sd-jwt," + jws
    response = _post(client, {"verifiableCredential": envelope})
    assert response.status_code == 400
    assert response.get_json()["problemDetails"][0]["code"] == "envelope_unsupported"


def test_batch_returns_one_result_each_in_order(client):
    values = [load_scenario(n)["input"]["value"] for n in ("valid", "revoked", "jwt-valid", "unreachable-list")]
    response = _post(client, {"verifiableCredentials": values + ["junk", {}]}, "/credentials/verify:batch")
    assert response.status_code == 200
    body = response.get_json()
    assert [r["verdict"] for r in body["results"]] == ["verified", "not-verified", "verified", "incomplete",
                                                       "not-verified", "not-verified"]
    assert body["verified"] is False and body["summary"] == {"count": 6, "verified": 2}


def test_batch_limit(client):
    response = _post(client, {"verifiableCredentials": [{}] * 501}, "/credentials/verify:batch")
    assert response.status_code == 400
    assert response.get_json()["code"] == "batch_too_large"
    assert _post(client, {"verifiableCredentials": []}, "/credentials/verify:batch").status_code == 400


def _presentation(credentials, *, challenge="c-123", domain="verifier.example", holder=None, extra_type=None):
    vp = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"],
          "holder": holder or OTHER.did_key, "verifiableCredential": credentials}
    if extra_type is not None:  # a presentation type defined by an inline context (VCDM 2.0 §4.3)
        vp["@context"].append({extra_type: f"https://example.org/examples#{extra_type}"})
        vp["type"].append(extra_type)
    return add_proof(vp, signer=did_key_signer(OTHER), created=CREATED, proof_purpose="authentication",
                     challenge=challenge, domain=domain)


def test_presentation_with_holder_proof_challenge_and_domain(client):
    vp = _presentation([_valid()])
    options = {"challenge": "c-123", "domain": "verifier.example"}
    response = _post(client, {"verifiablePresentation": vp, "options": options}, "/presentations/verify")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["verified"] is True and body["credentialResults"][0]["verified"] is True


def test_a_wrong_digest_of_a_bundled_context_fails_the_credential(client):
    import base64
    import hashlib

    from issuer.contexts import load_context_bytes

    v2 = "https://www.w3.org/ns/credentials/v2"
    right = "sha384-" + base64.b64encode(hashlib.sha384(load_context_bytes(v2)).digest()).decode()
    wrong = "sha384-" + base64.b64encode(hashlib.sha384(b"another document").digest()).decode()
    for digest, status in ((right, 200), (wrong, 400)):
        credential = add_proof({"@context": [v2], "type": ["VerifiableCredential"], "issuer": OTHER.did_key,
                                "credentialSubject": {"id": "did:example:1"},
                                "relatedResource": [{"id": v2, "digestSRI": digest}]},
                               signer=did_key_signer(OTHER), created=CREATED)
        response = _post(client, {"verifiableCredential": credential})
        assert response.status_code == status, response.get_json()
    errors = response.get_json()["errors"]
    assert [(e["code"], e["path"]) for e in errors] == [("related_resource_digest_mismatch",
                                                         "/relatedResource/0/digestSRI")]


def test_presentation_with_an_inline_context(client):
    vp = _presentation([_valid()], extra_type="CredentialManagerPresentation")
    response = _post(client, {"verifiablePresentation": vp, "options": {"challenge": "c-123"}},
                     "/presentations/verify")
    assert response.status_code == 200, response.get_json()
    vp["@context"][-1] = {"id": "https://evil.example/id"}  # a protected term of the VC context
    response = _post(client, {"verifiablePresentation": vp}, "/presentations/verify")
    assert response.status_code == 400
    assert "jsonld_protected_term_redefinition" in [p["code"] for p in response.get_json()["problemDetails"]]


@pytest.mark.parametrize("options, code", [
    ({"challenge": "other", "domain": "verifier.example"}, "challenge_mismatch"),
    ({"challenge": "c-123", "domain": "elsewhere.example"}, "domain_mismatch"),
])
def test_presentation_challenge_and_domain_are_checked(client, options, code):
    response = _post(client, {"verifiablePresentation": _presentation([_valid()]), "options": options},
                     "/presentations/verify")
    assert response.status_code == 400
    assert code in [p["code"] for p in response.get_json()["problemDetails"]]


def test_presentation_fails_when_a_credential_inside_fails(client):
    vp = _presentation([_valid(), load_scenario("revoked")["input"]["value"]])
    response = _post(client, {"verifiablePresentation": vp, "options": {"challenge": "c-123"}},
                     "/presentations/verify")
    assert response.status_code == 400
    assert [r["verified"] for r in response.get_json()["credentialResults"]] == [True, False]


def test_presentation_signed_by_someone_other_than_the_holder(client):
    vp = _presentation([_valid()], holder="did:example:someone-else")
    response = _post(client, {"verifiablePresentation": vp}, "/presentations/verify")
    assert response.status_code == 400
    assert "holder_mismatch" in [p["code"] for p in response.get_json()["problemDetails"]]


def test_presentation_reports_errors_in_presentation_wording(client):
    vp = _presentation([_valid(), load_scenario("revoked")["input"]["value"]], holder="did:example:someone-else")
    vp["@context"].append("https://example.org/unknown-context.jsonld")
    body = _post(client, {"verifiablePresentation": vp}, "/presentations/verify").get_json()
    own = [e for e in body["errors"] if not e.get("path", "").startswith("/verifiableCredential/")]
    assert "context_unknown" in [e["code"] for e in own]
    assert own and all("credential" not in e["detail"].lower() for e in own)
    inner = [e for e in body["errors"] if e.get("path", "").startswith("/verifiableCredential/1")]
    assert inner and inner == [{**p, "path": "/verifiableCredential/1" + p.get("path", "")}
                               for p in body["credentialResults"][1]["errors"]]
    assert body["verified"] is False and body["errors"] and set(map(str, body["errors"])) <= set(
        map(str, body["problemDetails"]))


def test_unsigned_presentation_is_cannot_check_so_not_verified(client):
    vp = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "VerifiablePresentation",
          "verifiableCredential": [_valid()]}
    response = _post(client, {"verifiablePresentation": vp, "options": {"checks": []}}, "/presentations/verify")
    assert response.status_code == 400
    body = response.get_json()
    assert body["checks"][2]["outcome"] == "cannot-check" and body["verified"] is False
    assert [e["code"] for e in body["errors"]] == ["verification_incomplete"]
    response = _post(client, {"verifiablePresentation": vp, "options": {"challenge": "x"}}, "/presentations/verify")
    assert response.status_code == 400
    assert "proof_missing" in [e["code"] for e in response.get_json()["errors"]]


@pytest.mark.parametrize("name, content_type", [("baked-png", "image/png"), ("baked-svg", "image/svg+xml"),
                                                ("jwt-valid", "text/plain"), ("valid", "application/json")])
def test_verify_file_endpoint_reads_every_format(client, name, content_type):
    response = client.post("/verify", data=scenario_bytes(load_scenario(name)), content_type=content_type)
    assert response.status_code == 200
    assert response.get_json()["verified"] is True


def test_verify_file_endpoint_reports_two_baked_credentials(client):
    response = client.post("/verify", data=scenario_bytes(load_scenario("baked-two-credentials")),
                           content_type="image/png")
    assert response.status_code == 400
    assert response.get_json()["problemDetails"][0]["type"] == PARSING_ERROR


def test_openapi_and_health(client):
    document = client.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert {"/credentials/verify", "/credentials/verify:batch", "/presentations/verify", "/verify", "/healthz",
            "/openapi.json", "/"} <= set(document["paths"])
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_unknown_route_and_method_are_problem_json(client):
    assert client.get("/nope").mimetype == "application/problem+json"
    response = client.get("/credentials/verify")
    assert response.status_code == 405 and response.mimetype == "application/problem+json"


def test_method_and_headers_of_the_machine_endpoints(client):
    response = client.get("/credentials/verify:batch")
    assert response.status_code == 405 and response.headers["Allow"] == "OPTIONS, POST"
    assert client.options("/presentations/verify").headers["Allow"] == "OPTIONS, POST"
    response = _post(client, {"verifiableCredential": _valid()})
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert int(response.headers["Content-Length"]) == len(response.data)


def _streamed(client, data: bytes):
    """A body with no Content-Length, from a server that ends the input stream itself (chunked)."""
    import io

    return client.post("/credentials/verify", content_type="application/json",
                       environ_overrides={"wsgi.input": io.BytesIO(data), "wsgi.input_terminated": True,
                                          "CONTENT_LENGTH": ""})


def test_a_streamed_body_is_read_and_capped_at_the_limit(client):
    assert _streamed(client, json.dumps({"verifiableCredential": _valid()}).encode()).status_code == 200
    response = _streamed(client, b" " * (2 * 1024 * 1024 + 1))
    assert response.status_code == 413 and response.mimetype == "application/problem+json"


def test_a_crash_inside_an_endpoint_is_a_logged_500_problem(client, monkeypatch, caplog):
    engine, _ = client.application.extensions["badgeline_verifier"]["verifier"]

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "verify_value", crash)
    response = _post(client, {"verifiableCredential": _valid()})
    assert response.status_code == 500 and response.get_json()["verified"] is False
    assert "boom" not in response.get_data(as_text=True)  # no internals to the caller
    assert "verifier endpoint /credentials/verify failed" in caplog.text


@pytest.mark.parametrize("declared", ["abc", "-5"])
def test_a_content_length_that_is_not_a_byte_count_is_400(client, declared):
    response = client.post("/credentials/verify", data=b"{}", content_type="application/json",
                           environ_overrides={"CONTENT_LENGTH": declared})
    assert response.status_code == 400 and response.get_json()["code"] == "content_length_invalid"


def test_a_body_shorter_than_its_content_length_is_400(client):
    import io

    response = client.post("/credentials/verify", content_type="application/json",
                           environ_overrides={"wsgi.input": io.BytesIO(b'{"verifiableCredential":'),
                                              "CONTENT_LENGTH": "100"})
    assert response.status_code == 400 and "less than its Content-Length" in response.get_json()["detail"]
