"""The technician's collection `/me/<token>`: the link from the provider API, every credential
across providers, progress toward the next level, hide/show, the zip, rotation (SQLite and
PostgreSQL, real web app on a real port)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from urllib.parse import urlsplit

from sqlalchemy import select

from issuer.baking import extract_png
from pipeline.store.api_keys import Scope, create_api_key
from pipeline.store.models import LearnerCollection, StatusList
from tests.holder.conftest import CLOCK, codes, native

EMAIL = "ana@example.org"


def api_key(world, provider: str) -> str:
    with world.services.sessions.begin() as session:
        _row, key = create_api_key(session, provider_id=world.provider(provider), scopes=[Scope("29-2052.00")],
                                   now=CLOCK, pepper=b"")
    return key


def collection_link(world, provider: str = "Northside") -> str:
    key = api_key(world, provider)
    body = world.client.get(f"/api/v1/learners/{EMAIL}/credentials",
                            headers={"Authorization": f"Bearer {key}"}).get_json()
    assert all(c["public_url"].startswith(f"{world.public}/c/") for c in body["credentials"])
    return urlsplit(body["collection_url"]).path


def test_provider_api_hands_out_one_stable_link(world):
    world.earn("emerging")
    key = api_key(world, "Northside")
    first = world.client.get(f"/api/v1/learners/{EMAIL}/credentials", headers={"Authorization": f"Bearer {key}"})
    again = world.client.get(f"/api/v1/learners/{EMAIL}/credentials", headers={"Authorization": f"Bearer {key}"})
    url = first.get_json()["collection_url"]
    assert url == again.get_json()["collection_url"] and re.fullmatch(rf"{world.public}/me/[A-Za-z0-9_-]{{43}}", url)
    token = url.rsplit("/", 1)[1]
    with world.services.read_sessions() as session:
        stored = session.scalars(select(LearnerCollection)).one()
    assert token not in (stored.token_hash, stored.salt)  # only a hash and a salt are kept
    outsider = api_key(world, "Elsewhere")
    hidden = world.client.get(f"/api/v1/learners/{EMAIL}/credentials", headers={"Authorization": f"Bearer {outsider}"})
    assert hidden.get_json() == {"learner": {"email": EMAIL}, "credentials": [], "collection_url": None}


def test_collection_lists_credentials_and_progress_across_providers(world):
    world.earn("emerging", provider="Northside", assessment="intake")
    world.post("Southside", native("dev-a", statements=codes("developing", range(1, 4)), assessment="workflow"))
    world.post("Northside", native("dev-b", statements=codes("developing", [4]), assessment="storage"))
    path = collection_link(world)
    response = world.client.get(path)
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer" and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "Your credentials (1)" in html and "Pharmacy Technician — Emerging (v.26.05)" in html
    assert "Next level: <strong>Developing</strong> · 4 of 10 statements demonstrated" in html
    assert re.search(r'class="done"><span class="code">D01</span>.*?Assessment workflow \(Southside', html, re.S)
    assert re.search(r'class="done"><span class="code">D04</span>.*?Assessment storage \(Northside', html, re.S)
    assert html.count('class="todo"') == 6
    uuid = re.search(r'id="c-([0-9a-f-]{36})"', html).group(1)
    assert f'action="{path}/credentials/{uuid}/offer" method="post"' in html  # "Add to wallet"


def test_hide_and_show_a_page_and_it_still_verifies(world):
    credential_id = world.earn("emerging")
    uuid = credential_id.removeprefix("urn:uuid:")
    path = collection_link(world)
    with world.services.read_sessions() as session:
        lists_before = [(s.id, json.dumps(s.document, sort_keys=True)) for s in session.scalars(select(StatusList))]
    hidden = world.client.post(f"{path}/credentials/{uuid}/hide")
    assert hidden.status_code == 303 and hidden.headers["Location"].startswith(path)
    for suffix in ("", ".json", ".png", ".svg", ".pdf"):
        assert world.client.get(f"/c/{uuid}{suffix}").status_code == 404
    assert "Public page hidden" in world.client.get(path).get_data(as_text=True)
    own_copy = world.client.get(f"{path}/credentials/{uuid}.json")
    assert own_copy.status_code == 200
    report = world.client.post("/verify", data=own_copy.data, content_type="application/json",
                               headers={"Accept": "application/json"}).get_json()
    assert report["verified"] is True  # hiding the page touches no status list
    with world.services.read_sessions() as session:
        assert [(s.id, json.dumps(s.document, sort_keys=True)) for s in session.scalars(select(StatusList))] == \
            lists_before
    world.client.post(f"{path}/credentials/{uuid}/show")
    assert world.client.get(f"/c/{uuid}").status_code == 200


def test_other_learners_credentials_cannot_be_touched(world):
    mine = world.earn("emerging")
    theirs = world.earn("emerging", email="bo@example.org", name="Bo Chan").removeprefix("urn:uuid:")
    path = collection_link(world)
    assert mine
    assert world.client.post(f"{path}/credentials/{theirs}/hide").status_code == 404
    assert world.client.get(f"{path}/credentials/{theirs}.json").status_code == 404
    assert world.client.get(f"/c/{theirs}").status_code == 200
    assert world.client.get("/me/not-a-real-token").status_code == 404


def test_download_everything(world):
    first = world.earn("emerging")
    second = world.earn("developing", provider="Southside")
    archive = zipfile.ZipFile(io.BytesIO(world.client.get(collection_link(world) + "/badges.zip").data))
    names = sorted(archive.namelist())
    assert len(names) == 4 and sum(n.endswith(".json") for n in names) == 2
    for credential_id in (first, second):
        short = credential_id.removeprefix("urn:uuid:")[:8]
        text = archive.read(next(n for n in names if short in n and n.endswith(".json"))).decode()
        assert json.loads(text) == world.credential(credential_id).document
        assert extract_png(archive.read(next(n for n in names if short in n and n.endswith(".png")))) == text


def test_rotation_by_api_and_by_button(world):
    world.earn("emerging")
    old = collection_link(world)
    key = api_key(world, "Northside")
    rotated = world.client.post(f"/api/v1/learners/{EMAIL}/collection:rotate",
                                headers={"Authorization": f"Bearer {key}"})
    assert rotated.status_code == 200
    new = urlsplit(rotated.get_json()["collection_url"]).path
    assert new != old and world.client.get(old).status_code == 404 and world.client.get(new).status_code == 200
    assert collection_link(world) == new  # the API now hands out the new link
    pressed = world.client.post(f"{new}/rotate")
    assert pressed.status_code == 303
    newest = urlsplit(pressed.headers["Location"]).path
    assert world.client.get(new).status_code == 404 and world.client.get(newest).status_code == 200
    outsider = api_key(world, "Elsewhere")
    refused = world.client.post(f"/api/v1/learners/{EMAIL}/collection:rotate",
                                headers={"Authorization": f"Bearer {outsider}"})
    assert refused.status_code == 404 and world.client.get(newest).status_code == 200


def test_add_to_wallet_from_the_collection_opens_a_single_use_offer(world):
    """The collection's "Add to wallet" button makes a wallet offer and shows its page with QR codes."""
    credential_id = world.earn("emerging")
    uuid = credential_id.removeprefix("urn:uuid:")
    path = collection_link(world)
    assert f'action="{path}/credentials/{uuid}/offer"' in world.client.get(path).get_data(as_text=True)
    answer = world.client.post(f"{path}/credentials/{uuid}/offer")
    assert answer.status_code == 303
    offer_page = urlsplit(answer.headers["Location"]).path
    assert offer_page.startswith("/offers/")
    page = world.client.get(offer_page)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "openid-credential-offer://" in html and "<svg" in html
    other = world.client.post(f"/me/not-a-token/credentials/{uuid}/offer")
    assert other.status_code == 404
