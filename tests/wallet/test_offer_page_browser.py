"""The offer page in a real headless Chromium (Playwright), JavaScript off, desktop and phone
width: both wallet links are there as QR codes and buttons; a used offer explains itself.
Screenshots go to tests/artifacts/wallet-offer-*.png."""

from __future__ import annotations

import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from .conftest import Local

from tests.verifier.test_browser import ARTIFACTS, CHROMIUM, browser  # noqa: F401 - the browser fixture

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing")]


@pytest.fixture
def served(local: Local):
    app = local.client.application
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.mark.parametrize(("device", "viewport"), [("desktop", (1100, 900)), ("phone", (390, 844))])
def test_the_offer_page(local: Local, served, browser, device, viewport, db_url):
    links = local.offer()
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, java_script_enabled=False)
    page = context.new_page()
    page.goto(served + urlsplit(links.page_url).path)
    assert page.locator("h1").inner_text() == "Add your badge to a wallet"
    assert page.locator(".qr svg").count() == 2
    for box in (page.locator(".qr svg").nth(i).bounding_box() for i in range(2)):
        assert 150 <= box["width"] <= viewport[0] and box["width"] == pytest.approx(box["height"], abs=1)
    assert page.get_by_role("link", name="Open in my wallet").get_attribute("href") == links.openid_link
    assert page.get_by_role("link", name="Open in Learner Credential Wallet").get_attribute("href") == links.lcw_link
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0]  # no sideways scrolling
    if db_url.startswith("sqlite"):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"wallet-offer-{device}.png"), full_page=True)
    local.clock[0] += timedelta(minutes=11)
    response = page.goto(served + urlsplit(links.page_url).path)
    assert response.status == 410 and "expired" in page.locator("[role=alert]").inner_text()
    context.close()
