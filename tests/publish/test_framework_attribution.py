"""The attribution the framework licence requires (issue 8): every framework, level and statement
page, the CASE export and the employer page's framework section show the publisher's line, the
O*NET source and the CC BY 4.0 licence, with links; one page and the employer page are also
checked in a real headless Chromium."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from issuer.frameworks.attribution import LICENCES, ONET_URL
from tests.publish.conftest import FW, URLS
from tests.verifier.conftest import NOW, WorldFetcher, load_scenario, load_world, scenario_bytes
from verifier.app import VerifierSettings, create_app as create_verifier

CC_BY = LICENCES["CC BY 4.0"]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PAGES = [URLS.framework(FW), URLS.level(FW, "proficient"), URLS.statement(FW, "P03")]


def hrefs(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


@pytest.mark.parametrize("url", PAGES)
def test_every_framework_page_shows_attribution_and_licence_with_links(pages, url):
    response = pages.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Sources, licence and attribution" in html and "© EBSCOed" in html
    assert "CC BY 4.0" in html and "O*NET v30.2" in html and "USDOL/ETA" in html
    assert {CC_BY, ONET_URL} <= hrefs(html)
    assert f'<a href="{CC_BY}" rel="license external">CC BY 4.0</a>' in html


def test_case_export_served_carries_the_licence(pages):
    package = pages.get_json(URLS.case(FW))
    [licence] = package["CFDefinitions"]["CFLicenses"]
    assert CC_BY in licence["licenseText"] and ONET_URL in licence["licenseText"] and "© EBSCOed" in licence["licenseText"]
    assert package["CFDocument"]["licenseURI"]["uri"] == licence["uri"]


def employer_app():
    return create_verifier(VerifierSettings(), fetcher=WorldFetcher(load_world()), clock=lambda: NOW)


def test_employer_page_framework_section_shows_attribution():
    client = employer_app().test_client()
    data = {"file": (io.BytesIO(scenario_bytes(load_scenario("valid"))), "credential.json")}
    html = client.post("/verify", data=data, content_type="multipart/form-data",
                       headers={"Accept": "text/html"}).get_data(as_text=True)
    section = html[html.index('id="framework-heading"'):]
    section = section[: section.index("</section>")]
    assert "© EBSCOed" in section and "CC BY 4.0" in section and "USDOL/ETA" in section
    assert {CC_BY, ONET_URL} <= hrefs(section)


def serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing")
def test_attribution_in_headless_chromium(pages, tmp_path):
    playwright_api = pytest.importorskip("playwright.sync_api")
    publisher, employer = serve(pages.client.application), serve(employer_app())
    credential = tmp_path / "credential.json"
    credential.write_bytes(scenario_bytes(load_scenario("valid")))
    try:
        with playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page()
            path = URLS.statement(FW, "P03").removeprefix("https://badges.example.org")
            page.goto(f"http://127.0.0.1:{publisher.server_port}{path}")
            box = page.locator("#licence")
            assert box.is_visible() and "© EBSCOed" in box.inner_text()
            assert box.get_by_role("link", name="CC BY 4.0").get_attribute("href") == CC_BY
            assert box.get_by_role("link", name="O*NET OnLine (USDOL/ETA)").get_attribute("href") == ONET_URL
            page.goto(f"http://127.0.0.1:{employer.server_port}/")
            page.get_by_label("Upload a file").set_input_files(str(credential))
            page.get_by_role("button", name="Check credential").click()
            page.wait_for_selector("#verdict-heading")
            employer_box = page.locator("#framework-attribution")
            assert employer_box.is_visible() and "© EBSCOed" in employer_box.inner_text()
            assert employer_box.get_by_role("link", name="CC BY 4.0").get_attribute("href") == CC_BY
            browser.close()
    finally:
        publisher.shutdown()
        employer.shutdown()
