"""Baked badges: PNG iTXt and SVG embedding and extraction (OB#png-baking, OB#svg-baking)."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from issuer.baking import (
    PNG_SIGNATURE,
    SVG_NAMESPACE,
    bake_png,
    bake_svg,
    extract,
    extract_png,
    extract_svg,
    itxt_chunk,
)
from issuer.errors import BakingError
from tests.spec_data import SPEC_EXAMPLES

CREDENTIAL = json.loads(
    SPEC_EXAMPLES.joinpath("ob3/basic-openbadgecredential.json").read_text(encoding="utf-8")
)
JWS = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2V4YW1wbGUuY29tIn0.c2lnbmF0dXJl"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width: int = 2, height: int = 2, extra: bytes = b"") -> bytes:
    """A real 8-bit RGB PNG, written with zlib + struct."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\0" + bytes([200, 30, 60]) * width for _ in range(height))
    return PNG_SIGNATURE + _chunk(b"IHDR", ihdr) + extra + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b"")


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    out, pos = [], 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        out.append((png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return out


SVG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!-- badge artwork -->\n'
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" data-note="a > b">'
    '<circle cx="5" cy="5" r="4"/></svg>\n'
)


# --- PNG -------------------------------------------------------------------------------


def test_png_bake_writes_one_uncompressed_itxt_chunk_before_iend():
    baked = bake_png(_png(), CREDENTIAL)
    chunks = _chunks(baked)
    assert [k for k, _ in chunks] == [b"IHDR", b"IDAT", b"iTXt", b"IEND"]
    data = chunks[2][1]
    assert data.startswith(b"openbadgecredential\0\0\0\0\0")
    assert json.loads(data[len(b"openbadgecredential") + 5 :].decode("utf-8")) == CREDENTIAL
    assert json.loads(extract_png(baked)) == CREDENTIAL


def test_baked_png_is_still_a_valid_image():
    pil = pytest.importorskip("PIL.Image", reason="Pillow not installed")
    import io

    image = pil.open(io.BytesIO(bake_png(_png(3, 2), CREDENTIAL)))
    image.load()
    assert image.size == (3, 2)


def test_png_rebake_replaces_the_credential():
    first = bake_png(_png(), CREDENTIAL)
    second = bake_png(first, JWS)
    assert [k for k, _ in _chunks(second)].count(b"iTXt") == 1
    assert extract_png(second) == JWS


def test_png_leaves_other_text_chunks_alone():
    other = _chunk(b"iTXt", b"openbadges\0\0\0\0\0legacy 2.0 assertion") + _chunk(b"tEXt", b"Title\0Badge")
    baked = bake_png(_png(extra=other), JWS)
    assert extract_png(baked) == JWS
    assert [k for k, _ in _chunks(baked)] == [b"IHDR", b"iTXt", b"tEXt", b"IDAT", b"iTXt", b"IEND"]


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=60))
def test_png_round_trip_keeps_any_unicode(text):
    credential = dict(CREDENTIAL, name=text)
    assert json.loads(extract_png(bake_png(_png(), credential))) == credential


def _itxt(text: bytes, flag: int = 0) -> bytes:
    return _chunk(b"iTXt", b"openbadgecredential\0" + bytes([flag, 0]) + b"\0\0" + text)


@pytest.mark.parametrize(
    ("png", "code"),
    [
        (b"GIF89a....", "not_png"),
        (_png()[:-5], "not_png"),
        (PNG_SIGNATURE + _chunk(b"IDAT", b"x") + _chunk(b"IEND", b""), "not_png"),
        (_png(), "no_credential"),
        (_png(extra=_itxt(b"{}") + _itxt(b"{}")), "multiple_credentials"),
        (_png(extra=_itxt(zlib.compress(b'{"a":1}'), flag=1)), "compressed"),
        (_png(extra=_itxt(b"\xff\xfe")), "credential_encoding"),
        (_png(extra=_chunk(b"iTXt", b"openbadgecredential\0")), "itxt_malformed"),
    ],
)
def test_png_extract_errors(png, code):
    with pytest.raises(BakingError) as info:
        extract_png(png)
    assert info.value.code == code


def test_png_crc_mismatch_is_detected():
    baked = bytearray(bake_png(_png(), CREDENTIAL))
    at = baked.index(b"Teamwork")
    baked[at] ^= 0x20  # "teamwork": the text changes, the CRC no longer matches
    with pytest.raises(BakingError) as info:
        extract_png(bytes(baked))
    assert info.value.code == "crc_mismatch"


def test_itxt_chunk_layout_matches_the_digest_formula():
    chunk = itxt_chunk("abc")
    data = b"openbadgecredential\x00" + b"\x00\x00" + b"\x00" + b"\x00" + b"abc"
    assert chunk == struct.pack(">I", len(data)) + b"iTXt" + data + struct.pack(">I", zlib.crc32(b"iTXt" + data))


# --- SVG -------------------------------------------------------------------------------


def _credential_elements(svg: str) -> list[ElementTree.Element]:
    return list(ElementTree.fromstring(svg).iter(f"{{{SVG_NAMESPACE}}}credential"))


def test_svg_bake_json_in_cdata_right_after_the_opening_tag():
    baked = bake_svg(SVG, CREDENTIAL)
    assert f'xmlns:openbadges="{SVG_NAMESPACE}"' in baked
    opening_end = baked.index('data-note="a > b"') + len('data-note="a > b"')
    assert baked[opening_end:].startswith(f' xmlns:openbadges="{SVG_NAMESPACE}"><openbadges:credential><![CDATA[{{')
    root = ElementTree.fromstring(baked)
    assert root[0].tag == f"{{{SVG_NAMESPACE}}}credential" and root[1].tag.endswith("circle")
    assert json.loads(extract_svg(baked)) == CREDENTIAL
    assert baked.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!-- badge artwork -->\n<!DOCTYPE svg')


def test_svg_bake_jwt_in_verify_attribute():
    baked = bake_svg(SVG, JWS)
    (element,) = _credential_elements(baked)
    assert element.get("verify") == JWS and not element.text
    assert extract_svg(baked) == JWS


def test_svg_cdata_terminator_inside_the_credential_is_split():
    credential = dict(CREDENTIAL, name="tricky ]]> name ]]]]> and </openbadges:credential> too")
    baked = bake_svg(SVG, credential)
    assert baked.count("<![CDATA[") == 3
    assert json.loads(extract_svg(baked)) == credential


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=60))
def test_svg_round_trip_keeps_any_xml_text(text):
    credential = dict(CREDENTIAL, name=text)
    assert json.loads(extract_svg(bake_svg(SVG, credential))) == credential


def test_svg_rebake_replaces_the_credential():
    tricky = dict(CREDENTIAL, name="a ]]> b </openbadges:credential>")
    once = bake_svg(SVG, tricky)
    twice = bake_svg(once, JWS)
    thrice = bake_svg(twice, CREDENTIAL)
    assert extract_svg(twice) == JWS and len(_credential_elements(twice)) == 1
    assert json.loads(extract_svg(thrice)) == CREDENTIAL
    assert thrice.count("xmlns:openbadges") == 1


def test_svg_self_closing_root():
    baked = bake_svg('<svg xmlns="http://www.w3.org/2000/svg" />', JWS)
    assert baked == (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{SVG_NAMESPACE}">'
        f'<openbadges:credential verify="{JWS}"/></svg>'
    )


def test_svg_with_namespace_already_declared_is_not_redeclared():
    svg = f"<svg xmlns='http://www.w3.org/2000/svg' xmlns:openbadges='{SVG_NAMESPACE}'><g/></svg>"
    baked = bake_svg(svg, JWS)
    assert baked.count("xmlns:openbadges") == 1 and extract_svg(baked) == JWS


@pytest.mark.parametrize(
    ("svg", "credential", "code"),
    [
        ('<svg xmlns:openbadges="https://purl.imsglobal.org/spec/ob/v3p0"/>', JWS, "svg_namespace_conflict"),
        ("<html/>", JWS, "not_svg"),
        ("<svg>", JWS, "not_svg"),
        ("<svg/>", "not a credential", "credential_format"),
        ("<svg/>", "  ", "credential_missing"),
    ],
)
def test_svg_bake_errors(svg, credential, code):
    with pytest.raises(BakingError) as info:
        bake_svg(svg, credential)
    assert info.value.code == code


OB = f'xmlns:openbadges="{SVG_NAMESPACE}"'


@pytest.mark.parametrize(
    ("svg", "code"),
    [
        (SVG, "no_credential"),
        (f"<svg {OB}><openbadges:credential/></svg>", "no_credential"),
        (f'<svg {OB}><openbadges:credential verify="a.b.c"/><g><openbadges:credential>{{}}</openbadges:credential></g></svg>',
         "multiple_credentials"),
        ('<!DOCTYPE svg [<!ENTITY x "boom">]><svg>&x;</svg>', "not_svg"),
        ('<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>', "not_svg"),
        ("<svg><unclosed></svg>", "not_svg"),
    ],
)
def test_svg_extract_errors(svg, code):
    with pytest.raises(BakingError) as info:
        extract_svg(svg)
    assert info.value.code == code


def test_svg_baked_elsewhere_cannot_be_rebaked():
    svg = f'<svg {OB}><g/><openbadges:credential verify="a.b.c"/></svg>'
    with pytest.raises(BakingError) as info:
        bake_svg(svg, JWS)
    assert info.value.code == "multiple_credentials"


# --- sniffing --------------------------------------------------------------------------


def test_extract_sniffs_png_and_svg():
    assert extract(bake_png(_png(), JWS)) == JWS
    assert extract(bake_svg(SVG, JWS).encode("utf-8")) == JWS
    assert extract(b"\xef\xbb\xbf" + bake_svg(SVG, JWS).encode("utf-8")) == JWS


@pytest.mark.parametrize("data", [b"GIF89a", b"\xff\xd8\xff\xe0JFIF", b"{}"])
def test_extract_rejects_other_formats(data):
    with pytest.raises(BakingError) as info:
        extract(data)
    assert info.value.code == "unsupported_image"
