"""Level badge artwork: one self-contained, accessible SVG per level, served at the URL every
issued credential's `achievement.image` names."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from issuer.dids import resolve_did_key
from issuer.frameworks.registry import FrameworkRegistry
from issuer.frameworks.urls import FrameworkUrls
from issuer.verify import verify_credential
from pipeline.processing import process_event
from pipeline.services import build_services
from pipeline.settings import Settings
from pipeline.web import create_app
from tests.worker.conftest import CLOCK, PUBLIC, codes, native

SVG = "{http://www.w3.org/2000/svg}"
FW = FrameworkRegistry.bundled().get("29-2052.00", "v.26.05")
LEVELS = ["emerging", "developing", "proficient", "advanced"]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("web")
    settings = Settings.explicit(data_dir=tmp, database_url=f"sqlite:///{tmp / 'db.sqlite3'}", public_url=PUBLIC)
    return create_app(settings, services=build_services(settings), mount_verifier=False).test_client()


def image_path(level: str) -> str:
    return FrameworkUrls(PUBLIC).achievement_image(FW, level).removeprefix(PUBLIC)


def test_the_image_url_sits_under_the_achievement():
    urls = FrameworkUrls(PUBLIC)
    assert urls.achievement_image(FW, "advanced") == urls.achievement(FW, "advanced") + "/image.svg"
    assert urls.achievement_image(FW, "advanced") == f"{PUBLIC}/frameworks/29-2052.00/v.26.05/achievements/advanced/image.svg"


@pytest.mark.parametrize("rank, level", list(enumerate(LEVELS, start=1)))
def test_each_level_has_an_accessible_self_contained_svg(client, rank, level):
    response = client.get(image_path(level))
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "max-age" in response.headers["Cache-Control"]
    text = response.get_data(as_text=True)
    root = ET.fromstring(text)  # well-formed XML
    assert root.tag == SVG + "svg" and root.get("role") == "img"
    title = root.find(SVG + "title")
    assert title is not None and root.get("aria-labelledby").split()[0] == title.get("id")
    assert title.text == f"{level.title()} level ({rank} of 4), Pharmacy Technicians v.26.05"
    texts = [t.text for t in root.iter(SVG + "text")]
    assert "PT" in texts and level.upper() in texts and f"LEVEL {rank} OF 4" in texts and "v.26.05" in texts
    filled = [c for c in root.iter(SVG + "circle") if c.get("fill-opacity") is None]
    assert len(filled) == rank  # the rank, also drawn
    # nothing the browser would fetch: no images, fonts, styles from elsewhere, no links
    assert not list(root.iter(SVG + "image")) and not list(root.iter(SVG + "a"))
    assert not re.search(r"@import|@font-face|url\((?!#)|href=", text)
    assert "http" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_every_level_has_its_own_colour(client):
    palettes = []
    for level in LEVELS:
        root = ET.fromstring(client.get(image_path(level)).get_data())
        palettes.append(tuple(s.get("stop-color") for s in root.iter(SVG + "stop")))
    assert len(set(palettes)) == 4


@pytest.mark.parametrize("path", ["/frameworks/29-2052.00/v.26.05/achievements/expert/image.svg",
                                  "/frameworks/29-2052.00/v.99.99/achievements/advanced/image.svg",
                                  "/frameworks/00-0000.00/v.26.05/achievements/advanced/image.svg",
                                  "/frameworks/29-2052.00/v.26.05/achievements/_medal/image.svg"])
def test_unknown_levels_and_frameworks_are_404(client, path):
    assert client.get(path).status_code == 404


def test_issued_credentials_point_at_the_level_artwork(processor, store):
    provider = store.provider("Alpha")
    event_id = store.record(provider, native("img-1", statements=codes("emerging", range(1, 11))))
    assert process_event(processor, event_id).levels == ("emerging",)
    [credential] = store.credentials_of(event_id)
    achievement = credential.document["credentialSubject"]["achievement"]
    assert achievement["image"]["id"] == FrameworkUrls(PUBLIC).achievement_image(FW, "emerging")
    assert achievement["image"]["type"] == "Image" and achievement["image"]["caption"] == achievement["name"]
    assert verify_credential(credential.document, resolve_key=resolve_did_key, now=CLOCK).verified
