"""The credential's public page and its downloads, served by the real web app on a real port,
for credentials issued by the real processing use case (SQLite and PostgreSQL)."""

from __future__ import annotations

import html as html_lib
import json
import re
import shutil
import subprocess
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

from issuer.baking import PNG_KEYWORD, extract_png, extract_svg
from pipeline.store.models import Credential
from tests.holder.conftest import ARTIFACTS, CLOCK, later


class Meta(HTMLParser):
    """`<meta property|name=... content=...>` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "meta" and "content" in found:
            self.tags[found.get("property") or found.get("name") or ""] = found["content"]


def meta_of(html: str) -> dict[str, str]:
    parser = Meta()
    parser.feed(html)
    return parser.tags


def uuid_of(credential_id: str) -> str:
    return credential_id.removeprefix("urn:uuid:")


def test_page_shows_the_credential(world):
    credential_id = world.earn("proficient", name="Ana Díaz", provider="Northside", assessment="dispensing")
    response = world.client.get(f"/c/{uuid_of(credential_id)}")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Ana Díaz" in html and "Proficient" in html and "Valid" in html
    assert html.count('<span class="code">P') == 10  # the ten statements of the level
    assert "Pharmacy Technician Competency Framework" in html and "v.26.05" in html
    assert "© EBSCOed" in html and "v30.2 (CC BY 4.0)" in html  # the framework's sources and attribution
    assert "Badgeline Issuer" in html and "Northside" in html and "Assessment dispensing" in html
    assert "20 November 2026" in html
    for ext in ("json", "png", "svg", "pdf"):
        assert f"{world.public}/c/{uuid_of(credential_id)}.{ext}" in html


def test_link_preview_tags_and_linkedin(world):
    credential_id = world.earn("emerging")
    page_url = f"{world.public}/c/{uuid_of(credential_id)}"
    html = world.client.get(f"/c/{uuid_of(credential_id)}").get_data(as_text=True)
    meta = meta_of(html)
    assert meta["og:image"] == page_url + ".png" and meta["og:url"] == page_url
    assert meta["twitter:card"] == "summary" and meta["twitter:image"] == page_url + ".png"
    assert "Ana Díaz" in meta["og:title"]
    image = world.client.get(urlsplit(meta["og:image"]).path)
    assert image.status_code == 200 and image.mimetype == "image/png"
    link = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', html).group(1).replace("&amp;", "&")
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    assert query == {"startTask": "CERTIFICATION_NAME", "name": "Pharmacy Technician: Emerging",
                     "organizationName": "Badgeline Issuer", "issueYear": "2026", "issueMonth": "11",
                     "certUrl": page_url, "certId": uuid_of(credential_id)}


def test_downloads_carry_exactly_the_signed_credential(world):
    credential_id = world.earn("developing")
    base = f"/c/{uuid_of(credential_id)}"
    served = world.client.get(base + ".json")
    assert served.mimetype == "application/json"
    assert json.loads(served.data) == world.credential(credential_id).document
    png = world.client.get(base + ".png").data
    svg_response = world.client.get(base + ".svg")
    assert "sandbox" in svg_response.headers["Content-Security-Policy"]  # an SVG opened on its own runs nothing
    svg = svg_response.get_data(as_text=True)
    assert extract_png(png) == served.get_data(as_text=True)
    assert extract_svg(svg) == served.get_data(as_text=True)
    assert png.count(b"iTXt" + PNG_KEYWORD) == 1  # one uncompressed iTXt chunk (flag byte 0 follows the NUL)
    assert png[png.index(b"iTXt" + PNG_KEYWORD) + 4 + len(PNG_KEYWORD) + 1] == 0
    assert "<openbadges:credential" in svg and "<![CDATA[" in svg


def test_the_verifier_accepts_every_download(world):
    credential_id = world.earn("emerging")
    base = f"/c/{uuid_of(credential_id)}"
    for ext, mimetype in (("json", "application/json"), ("png", "image/png"), ("svg", "image/svg+xml")):
        body = world.client.get(f"{base}.{ext}").data
        report = world.client.post("/verify", data=body, content_type=mimetype,
                                   headers={"Accept": "application/json"}).get_json()
        assert report["verified"] is True, (ext, report)


def test_verify_button_posts_the_credential_to_the_verifier(world):
    credential_id = world.earn("emerging")
    html = world.client.get(f"/c/{uuid_of(credential_id)}").get_data(as_text=True)
    form = re.search(r'<form action="([^"]+)" method="post"[^>]*>\s*<input type="hidden" name="credential" '
                     r'value="([^"]*)">', html)
    assert form.group(1) == "/verify"
    posted = html_lib.unescape(form.group(2))
    assert json.loads(posted) == world.credential(credential_id).document
    result = world.client.post("/verify", data={"credential": posted}, headers={"Accept": "text/html"})
    assert result.status_code == 200 and "Verified" in result.get_data(as_text=True)


def test_live_status_revoked_and_expired(world):
    revoked = world.earn("emerging", email="rev@example.org")
    with world.services.sessions.begin() as session:
        session.get(Credential, revoked).revoked_at = CLOCK + timedelta(hours=1)
    html = world.client.get(f"/c/{uuid_of(revoked)}").get_data(as_text=True)
    assert 'class="status status-revoked"' in html and "revoked this credential on 20 November 2026" in html

    suspended = world.earn("emerging", email="sus@example.org")
    with world.services.sessions.begin() as session:
        session.get(Credential, suspended).suspended_at = CLOCK + timedelta(hours=2)
    html = world.client.get(f"/c/{uuid_of(suspended)}").get_data(as_text=True)
    assert 'class="status status-suspended"' in html and "suspended this credential on 20 November 2026" in html

    expiring = world.issue_expiring(CLOCK + timedelta(days=3))
    html = world.client.get(f"/c/{uuid_of(expiring)}").get_data(as_text=True)
    assert 'class="status status-valid"' in html and "Valid until 23 November 2026" in html
    later(world, days=5)
    html = world.client.get(f"/c/{uuid_of(expiring)}").get_data(as_text=True)
    assert 'class="status status-expired"' in html and "expired on 23 November 2026" in html
    assert "expirationYear=2026" in html and "expirationMonth=11" in html


def test_unknown_and_malformed_ids_are_404(world):
    assert world.client.get("/c/6f1c9f3e-3b1a-4d7e-9a52-0c3f5e2b7d41").status_code == 404
    assert world.client.get("/c/not-a-uuid").status_code == 404
    assert world.client.get("/c/6f1c9f3e-3b1a-4d7e-9a52-0c3f5e2b7d41.exe").status_code == 404


def test_pdf_certificate_reads_and_links_to_the_page(world, tmp_path):
    credential_id = world.earn("advanced", name="Ana Díaz")
    response = world.client.get(f"/c/{uuid_of(credential_id)}.pdf")
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")
    assert "attachment" in response.headers["Content-Disposition"]
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(response.data)
    page_url = f"{world.public}/c/{uuid_of(credential_id)}"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "Ana Díaz" in text and "Advanced level" in text and page_url in text
        assert "Pharmacy Technician Competency Framework v.26.05" in text
    if shutil.which("pdftoppm"):
        ARTIFACTS.mkdir(exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(ARTIFACTS / "holder-certificate")],
                       check=True)
        if shutil.which("zbarimg"):
            scanned = subprocess.run(["zbarimg", "-q", "--raw", str(ARTIFACTS / "holder-certificate.png")],
                                     capture_output=True, text=True).stdout.strip()
            assert scanned == page_url  # the QR code opens the public page
