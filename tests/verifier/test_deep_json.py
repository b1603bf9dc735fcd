"""Issue 10, finding 6: deeply nested JSON is a 400 with a code on every verifier endpoint and
page, never a 500 (it was a 500 with a traceback everywhere). One shared parse helper
(`issuer.json_limits.bounded_loads`) refuses more than 64 levels up front."""

from __future__ import annotations

import io
import json

import pytest

from issuer.json_limits import MAX_JSON_DEPTH, JsonLimitError, bounded_loads, scan_json
from tests.verifier.conftest import load_scenario

DEPTHS = [MAX_JSON_DEPTH + 1, 1_000, 5_000, 100_000]


def nested(depth: int, leaf: str = "1") -> str:
    """`{"a": {"a": ... leaf ...}}`, `depth` objects deep, built as text (no recursion here)."""
    return '{"a":' * depth + leaf + "}" * depth


def deep_credential(depth: int) -> str:
    credential = load_scenario("valid")["input"]["value"]
    text = json.dumps(credential)
    marker = json.dumps(credential["credentialSubject"])
    return text.replace(marker, marker[:-1] + ', "deep": ' + nested(depth) + "}", 1)


@pytest.mark.parametrize("depth", DEPTHS)
def test_the_api_endpoints_answer_400_json_too_deep(client, depth):
    credential = deep_credential(depth)
    bodies = {
        "/credentials/verify": '{"verifiableCredential": ' + credential + "}",
        "/credentials/verify:batch": '{"verifiableCredentials": [' + credential + "]}",
        "/presentations/verify": '{"verifiablePresentation": {"@context": ["https://www.w3.org/ns/credentials/v2"], '
                                 '"type": ["VerifiablePresentation"], "verifiableCredential": [' + credential + "]}}",
    }
    for path, body in bodies.items():
        response = client.post(path, data=body, content_type="application/json")
        assert response.status_code == 400, (path, response.status_code)
        assert response.get_json()["code"] == "json_too_deep", path
        assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("depth", [1_000, 20_000])
def test_the_page_refuses_deep_json_in_text_and_file(client, depth):
    """The page shows its not-verified result naming the nesting in plain words, with the code in
    its table (HTML, as for any unreadable input); asked for JSON it answers 400 with the code."""
    credential = deep_credential(depth)
    forms = [lambda: {"credential": credential}, lambda: {"file": (io.BytesIO(credential.encode()), "c.json")}]
    for form in forms:
        response = client.post("/verify", data=form(), content_type="multipart/form-data",
                               headers={"Accept": "text/html"})
        assert response.status_code in (200, 400), response.status_code
        page = response.get_data(as_text=True)
        assert "more than 64 levels deep" in page and "json_too_deep" in page  # plainly, then the code
        response = client.post("/verify", data=form(), content_type="multipart/form-data",
                               headers={"Accept": "application/json"})
        assert response.status_code == 400 and "json_too_deep" in response.get_data(as_text=True)
    response = client.post("/verify", data=credential, content_type="application/json",
                           headers={"Accept": "application/json"})
    assert response.status_code == 400 and "json_too_deep" in response.get_data(as_text=True)


def test_a_jwt_whose_payload_is_deep_is_refused_not_crashed(client):
    import base64

    def part(text: str) -> str:
        return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()

    jws = ".".join([part('{"alg": "EdDSA", "kid": "did:key:z#k"}'), part(nested(5_000)), part("sig")])
    response = client.post("/credentials/verify", data=json.dumps({"verifiableCredential": jws}),
                           content_type="application/json")
    assert response.status_code == 400


def test_the_shared_helper():
    for depth in DEPTHS:
        with pytest.raises(JsonLimitError) as deep:
            bounded_loads(nested(depth), json.loads)
        assert deep.value.code == "json_too_deep"
        with pytest.raises(JsonLimitError):
            scan_json(nested(depth).encode())
    assert bounded_loads(nested(MAX_JSON_DEPTH), json.loads)["a"]["a"]
    assert scan_json(b'{"a": "[[[[[[[[[[{{{{{{{{{{{\\"[[[[[["}') == 4  # brackets inside strings are text
    with pytest.raises(JsonLimitError) as long:
        scan_json(b'{"items": [' + b",".join([b"{}"] * 11) + b"]}", max_outer_items=10)
    assert long.value.code == "json_array_too_long"
    scan_json(b'{"items": [' + b",".join([b"{}"] * 10) + b"]}", max_outer_items=10)
    with pytest.raises(JsonLimitError) as big:
        scan_json(b"[" + b",".join([b"1"] * 1000) + b"]", max_tokens=500)
    assert big.value.code == "json_too_large"
