"""The badge PNG and the certificate without DejaVu installed (the fallback fonts), and the PNG
palette read from the SVG artwork."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from flask import Flask
from PIL import Image

from pipeline.holder import artwork
from pipeline.holder.certificate import certificate_pdf
from pipeline.web import TEMPLATES
from tests.holder.conftest import FW


@pytest.fixture
def app_context():
    with Flask(__name__, template_folder=str(TEMPLATES)).app_context():
        yield


@pytest.fixture
def no_dejavu(monkeypatch):
    monkeypatch.setattr(artwork, "FONT_DIRS", ())
    artwork.badge_png.cache_clear()
    artwork._font.cache_clear()
    yield
    artwork.badge_png.cache_clear()
    artwork._font.cache_clear()


def test_png_matches_the_svg_palette(app_context):
    palette = artwork.palette_of(artwork.badge_svg(FW, "proficient"))
    image = Image.open(io.BytesIO(artwork.badge_png(FW, "proficient"))).convert("RGBA")
    assert image.size == (480, 480)
    assert image.getpixel((90, 320)) == (*(int(palette.deep[i:i + 2], 16) for i in (1, 3, 5)), 255)  # the label band
    assert image.getpixel((2, 2))[3] == 0  # transparent corners


def test_fallback_fonts_still_make_a_badge_and_a_certificate(app_context, no_dejavu):
    assert artwork.font_file(bold=True) is None
    png = artwork.badge_png(FW, "emerging")
    assert Image.open(io.BytesIO(png)).size == (480, 480)
    page = SimpleNamespace(title="t", issuer_name="Issuer", uuid="6f1c9f3e-3b1a-4d7e-9a52-0c3f5e2b7d41",
                           holder="Zoë 李", level=FW.level("emerging"), framework=FW, framework_code=FW.code,
                           framework_version=FW.version, issued_on="20 November 2026", source={"name": "N"},
                           url="https://badges.example.org/c/6f1c9f3e", attribution="© EBSCOed")
    assert certificate_pdf(page, png).startswith(b"%PDF-")
