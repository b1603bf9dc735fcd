"""The employer's page in a real headless Chromium (Playwright): upload valid, tampered, revoked
and baked credentials and read what a person sees; also with JavaScript off and by keyboard.
Screenshots go to tests/artifacts/."""

from __future__ import annotations

import json
import socket
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.verifier.conftest import NOW, WorldFetcher, load_scenario, load_world, scenario_bytes
from verifier.app import VerifierSettings, create_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing")]


@pytest.fixture(scope="module")
def base_url(registry):
    app = create_app(VerifierSettings(), fetcher=WorldFetcher(load_world()), registry=registry, clock=lambda: NOW)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    yield context.new_page()
    context.close()


def scenario_file(tmp_path: Path, name: str, suffix: str = ".json") -> Path:
    path = tmp_path / f"{name}{suffix}"
    path.write_bytes(scenario_bytes(load_scenario(name)))
    return path


def upload(page, base_url: str, path: Path) -> None:
    page.goto(base_url + "/")
    page.get_by_label("Upload a file").set_input_files(str(path))
    page.get_by_role("button", name="Check credential").click()
    page.wait_for_selector("#verdict-heading")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"verifier-{name}.png"), full_page=True)


def test_valid_credential(page, base_url, tmp_path):
    upload(page, base_url, scenario_file(tmp_path, "valid"))
    assert page.locator("#verdict-heading").inner_text() == "Verified"
    assert "Jane Doe" in page.locator(".card").inner_text()
    assert page.locator(".statements li").count() == 10
    assert "Matches the published framework" in page.locator("#framework-heading + dl").inner_text()
    shot(page, "valid")


def test_tampered_credential(page, base_url, tmp_path):
    upload(page, base_url, scenario_file(tmp_path, "tampered-achievement"))
    assert page.locator("#verdict-heading").inner_text() == "Not verified"
    assert "changed after it was signed" in page.locator(".verdict").inner_text()
    assert page.locator(".row-fail th").first.inner_text() == "Signature"
    shot(page, "tampered")


def test_revoked_credential(page, base_url, tmp_path):
    upload(page, base_url, scenario_file(tmp_path, "revoked"))
    assert page.locator("#verdict-heading").inner_text() == "Not verified"
    assert "revoked" in page.locator(".verdict").inner_text()
    shot(page, "revoked")


def test_baked_png_and_email_check(page, base_url, tmp_path):
    upload(page, base_url, scenario_file(tmp_path, "baked-png", ".png"))
    assert page.locator("#verdict-heading").inner_text() == "Verified"
    assert page.locator("img.badge").evaluate("img => img.naturalWidth") == 64
    page.get_by_label("Candidate’s email address").fill("jane.doe@example.com")
    page.get_by_role("button", name="Check email").click()
    page.wait_for_selector(".match")
    assert "is the holder" in page.locator(".match").inner_text()
    shot(page, "email-match")


def test_unreachable_list_shows_a_clear_warning(page, base_url, tmp_path):
    upload(page, base_url, scenario_file(tmp_path, "unreachable-list"))
    assert page.locator("#verdict-heading").inner_text() == "Could not fully check"
    assert "Revocation status" in page.locator(".verdict .warnings").inner_text()
    shot(page, "incomplete")


def test_endorsements_are_listed_and_a_forged_one_fails_the_credential(page, base_url, tmp_path):
    upload(page, base_url, scenario_file(tmp_path, "endorsed"))
    assert page.locator("#verdict-heading").inner_text() == "Verified"
    endorsement = page.locator(".endorsements li")
    assert endorsement.count() == 1
    assert "State Board of Pharmacy" in endorsement.inner_text() and "Verified" in endorsement.inner_text()
    assert "Meets the board's standard" in endorsement.locator("blockquote").inner_text()
    shot(page, "endorsed")
    upload(page, base_url, scenario_file(tmp_path, "endorsement-forged"))
    assert page.locator("#verdict-heading").inner_text() == "Not verified"
    assert "endorsement by State Board of Pharmacy did not verify" in page.locator(".verdict").inner_text()
    assert "Not verified" in page.locator(".endorsements li").inner_text()
    shot(page, "endorsement-forged")


def test_paste_without_javascript_by_keyboard(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/")
    page.get_by_label("Or paste the credential").fill(load_scenario("jwt-valid")["input"]["value"])
    page.get_by_label("Or paste the credential").focus()
    page.keyboard.press("Tab")  # to the link field
    page.keyboard.press("Tab")  # to the submit button
    assert page.evaluate("document.activeElement.textContent").strip() == "Check credential"
    page.keyboard.press("Enter")
    page.wait_for_selector("#verdict-heading")
    assert page.locator("#verdict-heading").inner_text() == "Verified"
    context.close()


@pytest.fixture(scope="module")
def issuer_site(tmp_path_factory):
    """The pipeline's web app (publishing + mounted verifier, as `badgeline up` runs it) on a real port."""
    from pipeline.services import build_services
    from pipeline.settings import Settings
    from pipeline.web import create_app as create_pipeline_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    tmp = tmp_path_factory.mktemp("site")
    settings = Settings.explicit(data_dir=tmp, database_url=f"sqlite:///{tmp / 'db.sqlite3'}",
                                 public_url=f"http://127.0.0.1:{port}")
    server = make_server("127.0.0.1", port, create_pipeline_app(settings, services=build_services(settings)),
                         threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield settings.public_url
    server.shutdown()


def test_our_credential_shows_its_level_badge(page, issuer_site, registry, tmp_path):
    from issuer.credentials import IssuerProfile, Recipient
    from issuer.dids import resolve_did_key
    from issuer.frameworks.urls import FrameworkUrls
    from issuer.keys import Ed25519Key, did_key_signer
    from pipeline.issuance import IssuingIdentity, issue_level_credential

    key = Ed25519Key.generate()
    identity = IssuingIdentity(IssuerProfile(id=key.did_key, name="Badgeline Issuer", url=issuer_site),
                               did_key_signer(key), resolve_did_key)
    urls, fw = FrameworkUrls(issuer_site), registry.get("29-2052.00", "v.26.05")
    credential = issue_level_credential(
        framework=fw, level="proficient", urls=urls, identity=identity, now=NOW - timedelta(days=1),
        recipient=Recipient(name="Ana Diaz", email="ana@example.org", salt="s"),
        image=urls.achievement_image(fw, "proficient"))
    path = tmp_path / "ours.json"
    path.write_text(json.dumps(credential))
    upload(page, issuer_site, path)
    assert page.locator("#verdict-heading").inner_text() == "Verified"
    badge = page.locator("img.badge")
    assert badge.get_attribute("src") == urls.achievement_image(fw, "proficient")
    assert badge.evaluate("img => img.complete && img.naturalWidth") == 240  # loaded from our own origin
    assert badge.is_visible() and "Badge image for" in badge.get_attribute("alt")
    shot(page, "level-badge")


# --- Accessibility and reflow (WCAG 2.1 AA; 1.4.10 at a 390 px phone width) ---------------------
AXE = Path(__file__).resolve().parents[2] / "interop" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": 1100, "phone": 390}


def axe_violations(page) -> list[str]:
    """Deque's axe-core, run in the page for the WCAG 2.0/2.1 A and AA rules."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => (await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
        .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))""")
    return list(found)


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def check_accessible(page, name: str, width_name: str) -> None:
    assert horizontal_overflow(page) <= 0, f"{name} scrolls sideways at {WIDTHS[width_name]} px"
    assert axe_violations(page) == [], name
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"a11y-{name}-{width_name}.png"), full_page=True)


@pytest.fixture(params=sorted(WIDTHS))
def sized_page(browser, request):
    if not AXE.exists():
        pytest.skip("axe-core is not installed in interop/ (bash scripts/test.sh installs it)")
    # The pages' CSP (script-src 'self') rightly blocks injected scripts; the audit alone bypasses it.
    context = browser.new_context(viewport={"width": WIDTHS[request.param], "height": 900}, bypass_csp=True)
    yield request.param, context.new_page()
    context.close()


@pytest.mark.parametrize("scenario", ["valid", "revoked", "unreachable-list", "tampered-achievement", "endorsed"])
def test_result_pages_are_accessible_and_reflow(sized_page, base_url, tmp_path, scenario):
    width, page = sized_page
    upload(page, base_url, scenario_file(tmp_path, scenario))
    check_accessible(page, f"result-{scenario}", width)


def test_form_and_error_pages_are_accessible_and_reflow(sized_page, base_url):
    width, page = sized_page
    page.goto(base_url + "/")
    check_accessible(page, "form", width)
    page.get_by_role("button", name="Check credential").click()  # nothing submitted: the form says so
    page.wait_for_load_state()
    check_accessible(page, "form-nothing-submitted", width)


@pytest.mark.parametrize("path", ["/frameworks/", "/frameworks/29-2052.00/v.26.05",
                                  "/frameworks/29-2052.00/v.26.05/levels/proficient",
                                  "/frameworks/29-2052.00/v.26.05/statements/P03"])
def test_published_pages_are_accessible_and_reflow(sized_page, issuer_site, path):
    width, page = sized_page
    page.goto(issuer_site + path)
    check_accessible(page, "published" + path.replace("/", "-").rstrip("-"), width)


def test_provider_assessments_and_plain_messages_on_the_result(page, issuer_site, registry, tmp_path):
    """An employer reads who assessed the holder and on what, and problems in plain words (the
    technical detail stays in the "every check" table)."""
    from issuer.credentials import EvidenceItem, IssuerProfile, ProviderProfile, Recipient
    from issuer.dids import resolve_did_key
    from issuer.frameworks.urls import FrameworkUrls
    from issuer.keys import Ed25519Key, did_key_signer
    from pipeline.issuance import IssuingIdentity, issue_level_credential

    key = Ed25519Key.generate()
    identity = IssuingIdentity(IssuerProfile(id=key.did_key, name="Badgeline Issuer", url=issuer_site),
                               did_key_signer(key), resolve_did_key)
    urls, fw = FrameworkUrls(issuer_site), registry.get("29-2052.00", "v.26.05")
    statements = tuple(s.code for s in fw.level("emerging").statements)
    credential = issue_level_credential(
        framework=fw, level="emerging", urls=urls, identity=identity, now=NOW - timedelta(days=1),
        recipient=Recipient(name="Ana Diaz", email="ana@example.org", salt="s"),
        sources=[ProviderProfile(id="https://northside.example.edu", name="Northside College")],
        evidence=[EvidenceItem("https://northside.example.edu/quiz/17", "Dispensing workflow quiz", None, None,
                               "Northside College", statements, NOW - timedelta(days=2))])
    path = tmp_path / "assessed.json"
    path.write_text(json.dumps(credential))
    upload(page, issuer_site, path)
    assert page.locator("#verdict-heading").inner_text() == "Verified"
    text = page.locator("#assessment-heading").locator("xpath=..").inner_text()
    assert "Training provider: Northside College" in text and "Dispensing workflow quiz" in text
    assert "Assessed by Northside College" in text
    shot(page, "assessed-by")

    from PIL import Image

    png = tmp_path / "plain.png"  # a picture, not a baked badge
    Image.new("RGB", (8, 8), "white").save(png)
    upload(page, issuer_site, png)
    verdict = page.locator(".verdict").inner_text()
    assert "not a baked badge" in verdict and "iTXt" not in verdict
    assert "no_credential" in page.locator("table.checks").inner_text()  # the detail is still there
