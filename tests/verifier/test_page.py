"""The employer's page through the Flask test client: forms, verdicts, email box, links, escaping."""

from __future__ import annotations

import io
import json
import re

from tests.verifier.conftest import load_scenario, scenario_bytes


def upload(client, name: str, filename: str = "credential.json", **form):
    data = {"file": (io.BytesIO(scenario_bytes(load_scenario(name))), filename), **form}
    return client.post("/verify", data=data, content_type="multipart/form-data", headers={"Accept": "text/html"})


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_index_has_labelled_inputs_and_works_without_javascript(client):
    html = client.get("/").get_data(as_text=True)
    for field in ("file", "credential", "url"):
        assert f'<label for="{field}">' in html and f'id="{field}"' in html
    assert 'method="post"' in html and 'enctype="multipart/form-data"' in html
    assert '<html lang="en">' in html


def test_valid_credential_page(client):
    response = upload(client, "valid")
    page = text(response)
    assert response.status_code == 200
    assert "verdict-verified" in response.get_data(as_text=True)
    assert "Verified" in page and "has not revoked it" in page
    assert "Jane Doe" in page and "Example Training Board" in page and "Level: Proficient" in page
    assert page.count(" P0") + page.count(" P1") >= 10  # the ten statements, by code
    assert "Pharmacy Technician Competency Framework v.26.05" in page and "Matches the published framework" in page


def test_tampered_and_revoked_pages_say_not_verified(client):
    tampered = text(upload(client, "tampered-subject"))
    assert "Not verified" in tampered and "changed after it was signed" in tampered
    revoked = text(upload(client, "revoked"))
    assert "Not verified" in revoked and "revoked this credential" in revoked


def test_incomplete_page_shows_the_warning(client):
    page = text(upload(client, "unreachable-list"))
    assert "Could not fully check" in page and "could not be retrieved" in page


def test_baked_png_page_shows_the_image(client):
    response = upload(client, "baked-png", "badge.png")
    assert 'src="data:image/png;base64,' in response.get_data(as_text=True)
    assert "Badge image (PNG)" in text(response)


def test_email_box_matches_only_the_holders_address(client):
    credential = json.dumps(load_scenario("valid")["input"]["value"])
    form = {"credential": credential}
    yes = client.post("/verify", data={**form, "email": "  Jane.Doe@Example.com "}).get_data(as_text=True)
    assert "match-yes" in yes and "match-no" not in yes
    no = client.post("/verify", data={**form, "email": "someone@example.com"}).get_data(as_text=True)
    assert "match-no" in no and "match-yes" not in no


def test_link_is_fetched_through_the_guard(client, world_fetcher):
    world_fetcher.documents["https://issuer.example/credentials/1"] = json.dumps(
        load_scenario("valid")["input"]["value"]).encode()
    page = client.get("/?credential=https://issuer.example/credentials/1", headers={"Accept": "text/html"})
    assert "Verified" in text(page) and world_fetcher.calls[0] == "https://issuer.example/credentials/1"
    missing = text(client.get("/?credential=https://issuer.example/nothing-here"))
    assert "Not verified" in missing and "could not be opened" in missing


def test_empty_form_is_a_400_page(client):
    response = client.post("/verify", data={"credential": ""}, headers={"Accept": "text/html"})
    assert response.status_code == 400 and "Choose a file" in text(response)


def test_credential_text_is_escaped(client):
    credential = load_scenario("valid")["input"]["value"]
    credential["credentialSubject"]["achievement"]["name"] = "<script>alert(1)</script>"
    credential["issuer"]["url"] = "javascript:alert(1)"
    html = client.post("/verify", data={"credential": json.dumps(credential)}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html


def test_pages_carry_a_content_security_policy(client):
    response = client.get("/")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert client.get("/assets/verifier.css").status_code == 200
    assert client.get("/assets/../app.py").status_code == 404


def test_failed_credentials_are_shown_as_unconfirmed_claims_without_the_email_box(client):
    html = upload(client, "tampered-subject").get_data(as_text=True)
    assert "Unconfirmed:" in html and 'id="email"' not in html
    valid = upload(client, "valid").get_data(as_text=True)
    assert "Unconfirmed:" not in valid and 'id="email"' in valid


def test_an_oversized_upload_is_a_page_that_states_the_limit(client):
    """A form whose body is over the limit, and a file over it inside a form under it: both pages name the limit."""
    huge = {"file": (io.BytesIO(b"x" * (11 * 1024 * 1024)), "huge.png")}
    response = client.post("/verify", data=huge, content_type="multipart/form-data", headers={"Accept": "text/html"})
    assert response.status_code == 413 and "at most 10 MiB" in text(response)


def test_unreadable_uploads_are_explained_in_plain_words(client):
    data = {"file": (io.BytesIO(b"{ not json"), "credential.json")}
    page = text(client.post("/verify", data=data, content_type="multipart/form-data", headers={"Accept": "text/html"}))
    verdict = page.split("Every check")[0]
    assert "neither a JSON credential nor a JWT" in verdict and "Expecting" not in verdict
    assert "malformed_json" in page  # the technical detail stays in the table
