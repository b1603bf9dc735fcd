"""Which badge image the employer's page shows: a data: image, an allowlisted host's URL, else
the built-in neutral badge (the employer's browser contacts no other third party)."""

from __future__ import annotations

import copy
import json

import pytest

from tests.verifier.conftest import NOW, load_scenario, scenario_bytes
from verifier.app import VerifierSettings, create_app, image_sources
from verifier.display import NEUTRAL_BADGE, credential_view, displayable_image
from verifier.resolvers import HostAllowlist

HOSTS = HostAllowlist.parse(["badges.example.org", "127.0.0.1:8000"])
PNG = "data:image/png;base64,iVBORw0KGgo="


@pytest.mark.parametrize("value, shown", [
    (PNG, True), ({"id": PNG, "type": "Image"}, True), ("data:image/svg+xml;base64,PHN2Zz4=", True),
    ("https://badges.example.org/a/image.svg", True), ({"id": "https://badges.example.org:443/x.png"}, True),
    ("http://badges.example.org/x.png", True), ("http://127.0.0.1:8000/frameworks/x/image.svg", True),
    ("http://127.0.0.1:9000/x.png", False), ("https://tracker.example.com/pixel.png", False),
    ("https://badges.example.org.evil.com/x.png", False), ("https://user@badges.example.org/x.png", False),
    ("data:text/html;base64,PGI+", False), ("javascript:alert(1)", False), ("//badges.example.org/x.png", False),
    ("https://badges.example.org:99999/x.png", False), (None, False), (5, False), ({"id": 5}, False),
])
def test_displayable_images(value, shown):
    assert (displayable_image(value, HOSTS) is not None) is shown


def _view(engine, credential, hosts=None):
    return credential_view(engine.verify_value(credential), image_hosts=hosts)


def _with_image(image):
    credential = copy.deepcopy(load_scenario("valid")["input"]["value"])
    credential["credentialSubject"]["achievement"]["image"] = image
    return credential


def test_a_foreign_image_is_replaced_by_the_neutral_badge(engine):
    view = _view(engine, _with_image({"id": "https://tracker.example.com/pixel.png", "type": "Image"}))
    assert view.image == NEUTRAL_BADGE and view.image_is_placeholder


def test_an_allowlisted_image_is_shown(engine):
    url = "https://badges.example.org/frameworks/x/achievements/advanced/image.svg"
    view = _view(engine, _with_image({"id": url, "type": "Image"}), HOSTS)
    assert view.image == url and not view.image_is_placeholder


def test_no_allowlist_means_no_remote_image(engine):
    view = _view(engine, _with_image({"id": "https://badges.example.org/x.svg", "type": "Image"}))
    assert view.image_is_placeholder


def test_the_page_uses_the_verifier_allowlist(registry, world_fetcher):
    settings = VerifierSettings(allowed_hosts=["badges.example.org"])
    client = create_app(settings, fetcher=world_fetcher, registry=registry, clock=lambda: NOW).test_client()
    url = "https://badges.example.org/x.svg"
    page = client.post("/verify", data={"credential": json.dumps(_with_image({"id": url, "type": "Image"}))},
                       headers={"Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert f'src="{url}"' in html
    assert "img-src 'self' data: https://badges.example.org:* http://badges.example.org:*;" in \
        page.headers["Content-Security-Policy"]
    other = client.post("/verify", data={"credential": json.dumps(_with_image("https://elsewhere.example/x.svg"))},
                        headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "elsewhere.example" not in other and 'alt="No badge image to show"' in other


def test_csp_image_sources():
    assert image_sources([]) == ["'self'", "data:"]
    assert image_sources(["Example.org:8443"]) == ["'self'", "data:", "https://example.org:8443",
                                                   "http://example.org:8443"]


def test_a_baked_image_shows_itself(engine):
    view = credential_view(engine.verify_bytes(scenario_bytes(load_scenario("baked-png"))))
    assert view.image.startswith("data:image/png;base64,") and not view.image_is_placeholder
