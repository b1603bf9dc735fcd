"""URLs that stay true (issue 8), through `badgeline up` over real HTTP: every URL a credential
cites answers with the content it was signed against; a later start under another public URL
is refused and `badgeline move-url` keeps old credentials verifying; `badgeline demo` leaves
nothing behind that breaks a later `badgeline up`."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from pipeline.embedded_redis import free_port
from pipeline.public_url import recorded_public_url
from pipeline.services import build_services
from pipeline.settings import Settings
from tests.service_up import Service, cited_urls, fetch, fully_verified, local_did_web

FW_PATH = "/frameworks/29-2052.00/v.26.05"


@pytest.fixture
def service(tmp_path):
    made = Service(tmp_path / "data")
    yield made
    made.stop()


def served_json(url: str, accept: str = "application/json"):
    status, _, body = fetch(url, accept)
    assert status == 200, (url, status, body[:300])
    return json.loads(body)


def assert_every_cited_url_answers_as_signed(credential: dict, base: str) -> set[str]:
    """Fetch every URL under `base` the credential cites; check what can be compared with it."""
    urls = cited_urls(credential, base) | {credential["issuer"]["url"]}
    for url in sorted(urls):
        status, content_type, _ = fetch(url)
        assert status == 200, (url, status)
    achievement = credential["credentialSubject"]["achievement"]
    assert served_json(achievement["id"]) == achievement
    [resource] = credential["relatedResource"]  # the framework document, pinned by digest
    status, _, body = fetch(resource["id"])
    assert "sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() == resource["digestSRI"]
    rubric = dict(achievement["resultDescription"][0])
    rubric.pop("requiredLevel")
    assert served_json(rubric.pop("id")) == {"id": achievement["resultDescription"][0]["id"], **rubric}
    for level in rubric["rubricCriterionLevel"]:
        assert served_json(level["id"]) == level
    statements = [a for a in achievement["alignment"] if a.get("targetType") == "CFItem"]
    for alignment in statements:
        assert served_json(alignment["targetUrl"])["humanCodingScheme"] == alignment["targetCode"]
    status, content_type, svg = fetch(achievement["image"]["id"], "image/svg+xml")
    assert content_type.startswith("image/svg+xml") and b"<svg" in svg
    entry = credential["credentialStatus"]
    status_list = served_json(entry["statusListCredential"], "application/vc")
    assert status_list["id"] == entry["statusListCredential"]
    assert status_list["credentialSubject"]["statusPurpose"] == entry["statusPurpose"]
    assert {f"{base}{FW_PATH}.json", f"{base}{FW_PATH}/rubric", achievement["id"], achievement["image"]["id"],
            entry["statusListCredential"], f"{base}/issuer"} <= urls
    assert len(statements) == 10
    return urls


@pytest.mark.slow
def test_every_url_a_credential_cites_answers_while_the_service_runs(service, db_url):
    port = free_port()
    service.extra_env.update(BADGELINE_DATABASE_URL=db_url, BADGELINE_ISSUER_DID=local_did_web(port))
    service.add_provider()
    service.start(port)
    credential = service.issue("urls-1", "ana@example.org")
    urls = assert_every_cited_url_answers_as_signed(credential, service.base)
    assert len(urls) >= 15
    did_document = served_json(f"{service.base}/.well-known/did.json", "application/did+json")
    assert did_document["id"] == credential["issuer"]["id"] == local_did_web(port)
    assert credential["proof"][0]["verificationMethod"] in did_document["assertionMethod"]
    assert fully_verified(service.verify(credential))


@pytest.mark.slow
def test_another_public_url_is_refused_and_move_url_keeps_old_credentials_verifying(service):
    old_port, new_port = free_port(), free_port()
    service.add_provider()
    service.start(old_port)
    old_base = service.base
    old = service.issue("move-1", "ana@example.org")
    service.stop()

    refused = service.run("up", "--port", str(new_port), check=False)
    assert refused.returncode == 1
    new_base = f"http://127.0.0.1:{new_port}"
    assert old_base in refused.stderr and new_base in refused.stderr
    assert f"badgeline move-url {new_base}" in refused.stderr

    moved = service.run("move-url", new_base)
    assert f"public URL moved: {old_base} -> {new_base}" in moved.stdout
    service.start(new_port)
    try:
        # the old credential's URLs still answer (up listens on the old local port too) ...
        assert_every_cited_url_answers_as_signed(old, old_base)
        assert fully_verified(service.verify(old))
        # ... and new credentials cite the new URL, on a status list published under it
        new = service.issue("move-2", "ben@example.org")
        assert new["credentialStatus"]["statusListCredential"] == f"{new_base}/status/2"
        assert_every_cited_url_answers_as_signed(new, new_base)
        assert fully_verified(service.verify(new))
    finally:
        output = service.stop()
    assert f"old URL (alias)  {old_base}" in output


@pytest.mark.slow
def test_demo_then_up_in_the_default_folder_issues_credentials_that_fully_verify(service):
    demo = service.run("demo")
    assert f"demo data in {(service.data_dir / 'demo').resolve()}" in demo.stdout
    assert not (service.data_dir / "badgeline.sqlite3").exists()  # the service's own store was not used
    again = service.run("demo")  # a second run replaces the demo's folder (another port, another URL)
    assert "4 credential(s) issued by this run, 4 in all" in again.stdout

    service.add_provider()
    service.start(free_port())
    credential = service.issue("after-demo-1", "ana@example.org")
    assert credential["credentialStatus"]["statusListCredential"] == f"{service.base}/status/1"
    assert fully_verified(service.verify(credential))
    services = build_services(Settings.explicit(data_dir=service.data_dir))
    try:
        with services.sessions() as session:
            assert recorded_public_url(session) == service.base
    finally:
        services.close()
