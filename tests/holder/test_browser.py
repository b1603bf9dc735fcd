"""The holder's pages in a real headless Chromium (Playwright, /usr/bin/chromium): the public
page and the collection at desktop and phone (390 px) width, with JavaScript off: no horizontal
scroll (WCAG 1.4.10), text contrast of every rendered element at least WCAG 2.1 AA, the verify
button runs our verifier, hiding works, and axe-core finds no WCAG 2.1 AA violation.
Screenshots go to tests/artifacts/holder-*.png."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from pipeline.store.api_keys import Scope, create_api_key
from tests.holder.conftest import ARTIFACTS, CLOCK, codes, native
from tests.verifier.test_browser import AXE, CHROMIUM, axe_violations, browser  # noqa: F401 - shared Chromium fixture

WIDTHS = {"desktop": 1200, "phone": 390}

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing")]

# Lowest contrast ratio of any element's own text against its first opaque background (WCAG 2.1
# relative luminance); large text (24 px, or 18.66 px bold) needs 3:1, the rest 4.5:1.
CONTRAST_JS = """() => {
  const lum = (rgb) => { const c = rgb.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; };
  const parse = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const background = (el) => { for (; el; el = el.parentElement) { const c = parse(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.99)) return c.slice(0, 3); } return [255, 255, 255]; };
  const failures = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const style = getComputedStyle(el);
    if (!own || style.visibility === 'hidden' || style.display === 'none' || el.getClientRects().length === 0) continue;
    const fg = parse(style.color).slice(0, 3), bg = background(el);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const needed = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
    if (ratio < needed) failures.push(`${el.tagName}.${el.className} "${el.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
  }
  return failures;
}"""


def open_page(browser, url: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.goto(url)
    return context, page


def check_layout(page, name: str) -> None:
    scroll, viewport = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= viewport, f"{name}: horizontal scroll ({scroll} > {viewport})"
    assert page.evaluate(CONTRAST_JS) == [], name
    check_axe(page, name)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"holder-{name}.png"), full_page=True)


def check_axe(page, name: str) -> None:
    """Deque's axe-core (WCAG 2.0/2.1 A and AA) on the same page, loaded again in a context with
    JavaScript on (the page itself is read with JavaScript off)."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed in interop/ (bash scripts/test.sh installs it)")
    context = page.context.browser.new_context(viewport=page.viewport_size, bypass_csp=True)
    try:
        audited = context.new_page()
        audited.goto(page.url)
        assert axe_violations(audited) == [], name
    finally:
        context.close()


def collection_url(world) -> str:
    with world.services.sessions.begin() as session:
        _row, key = create_api_key(session, provider_id=world.provider("Northside"), scopes=[Scope("29-2052.00")],
                                   now=CLOCK, pepper=b"")
    body = world.client.get("/api/v1/learners/ana@example.org/credentials",
                            headers={"Authorization": f"Bearer {key}"}).get_json()
    return body["collection_url"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_public_page_reads_well_and_verifies_without_javascript(world, browser):
    credential_id = world.earn("proficient", name="Ana Díaz", provider="Northside",
                               assessment="dispensing-practical")
    url = f"{world.public}/c/{credential_id.removeprefix('urn:uuid:')}"
    for name, width in WIDTHS.items():
        context, page = open_page(browser, url, width)
        try:
            assert page.locator("h1").inner_text() == "Ana Díaz"
            assert page.locator("#status").inner_text().startswith("Valid")
            assert page.locator("img.badge").evaluate("img => img.naturalWidth") == 480
            assert page.locator("ol.statements li").count() == 10
            check_layout(page, f"credential-{name}")
            if name == "phone":
                page.get_by_role("button", name="Verify this credential").click()
                page.wait_for_selector("#verdict-heading")
                assert page.locator("#verdict-heading").inner_text() == "Verified"
                page.screenshot(path=str(ARTIFACTS / "holder-verified-phone.png"), full_page=True)
        finally:
            context.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_collection_reads_well_and_hides_a_page(world, browser):
    credential_id = world.earn("emerging", name="Ana Díaz", provider="Northside",
                               assessment="intake-quiz")
    world.post("Southside", native("dev-1", statements=codes("developing", range(1, 5)),
                                           assessment="workflow-exam"))
    link = collection_url(world)
    for name, width in WIDTHS.items():
        context, page = open_page(browser, link, width)
        try:
            assert "Next level: Developing · 4 of 10 statements demonstrated" in page.locator(".progress").inner_text()
            check_layout(page, f"collection-{name}")
        finally:
            context.close()
    context, page = open_page(browser, link, WIDTHS["phone"])
    try:
        page.get_by_role("button", name="Hide public page").click()
        assert page.get_by_text("Public page hidden").count() == 1
        assert urlsplit(page.url).path == urlsplit(link).path
        check_layout(page, "collection-hidden-phone")
        response = page.goto(f"{world.public}/c/{credential_id.removeprefix('urn:uuid:')}")
        assert response.status == 404
    finally:
        context.close()
