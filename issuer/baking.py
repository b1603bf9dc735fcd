"""Baked badges: a credential embedded in a PNG or SVG image (OB 3.0 §5.3 "Baked Badge").

OB#png-baking: one uncompressed `iTXt` chunk with keyword `openbadgecredential` holding the
credential JSON (Data Integrity form) or compact JWS (JWT form); the keyword MUST NOT appear
twice. OB#svg-baking: an `<openbadges:credential>` element (namespace
`https://purl.imsglobal.org/ob/v3p0`) right after the `<svg>` opening tag, JSON in CDATA or a
JWS in its `verify` attribute. SVG is parsed with defusedxml: no DTD entities, nothing external.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from typing import Any, Iterator
from xml.etree.ElementTree import ParseError
from xml.sax.saxutils import quoteattr

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from issuer.errors import BakingError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
_SVG_CREDENTIAL = "{%s}credential" % SVG_NAMESPACE
_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$")


def _credential_text(credential: dict[str, Any] | str) -> str:
    """The text to embed: compact JSON for a dict, a JSON or JWS string as given."""
    if isinstance(credential, dict):
        return json.dumps(credential, ensure_ascii=False, separators=(",", ":"))
    if isinstance(credential, str) and credential.strip():
        return credential.strip()
    raise BakingError("the credential must be a JSON object or a non-empty string", code="credential_missing")


# --- PNG (OB#png-baking) -------------------------------------------------------------


def _png_chunks(png: bytes) -> Iterator[tuple[bytes, bytes, int, int]]:
    """Yield (type, data, start, end) for each chunk, checking structure and CRC-32."""
    if not isinstance(png, (bytes, bytearray)) or not png.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG image (bad signature)", code="not_png")
    pos, seen_iend = len(PNG_SIGNATURE), False
    while pos < len(png) and not seen_iend:
        if pos + 12 > len(png):
            raise BakingError("PNG chunk header is truncated", code="not_png")
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = bytes(png[pos + 4 : pos + 8])
        end = pos + 12 + length
        if end > len(png):
            raise BakingError(f"PNG chunk {kind!r} is truncated", code="not_png")
        data = bytes(png[pos + 8 : pos + 8 + length])
        (crc,) = struct.unpack(">I", png[end - 4 : end])
        if zlib.crc32(kind + data) != crc:
            raise BakingError(f"PNG chunk {kind!r} fails its CRC-32", code="crc_mismatch")
        if pos == len(PNG_SIGNATURE) and kind != b"IHDR":
            raise BakingError("PNG does not start with IHDR", code="not_png")
        seen_iend = kind == b"IEND"
        yield kind, data, pos, end
        pos = end
    if not seen_iend:
        raise BakingError("PNG has no IEND chunk", code="not_png")


def _itxt_fields(data: bytes) -> tuple[bytes, int, bytes]:
    """Split iTXt data (PNG 1.2 §11.3.4.5) into (keyword, compression flag, text bytes)."""
    keyword, sep, rest = data.partition(b"\0")
    if not sep or len(rest) < 2:
        raise BakingError("malformed iTXt chunk", code="itxt_malformed")
    flag, remainder = rest[0], rest[2:]
    parts = remainder.split(b"\0", 2)  # language tag, translated keyword, text
    if len(parts) != 3:
        raise BakingError("malformed iTXt chunk", code="itxt_malformed")
    return keyword, flag, parts[2]


def _is_credential_chunk(kind: bytes, data: bytes) -> bool:
    return kind == b"iTXt" and data.partition(b"\0")[0] == PNG_KEYWORD


def itxt_chunk(text: str) -> bytes:
    """One `openbadgecredential` iTXt chunk: flag 0, method 0, empty language and translation."""
    data = PNG_KEYWORD + b"\0" + b"\0\0" + b"\0" + b"\0" + text.encode("utf-8")
    return struct.pack(">I", len(data)) + b"iTXt" + data + struct.pack(">I", zlib.crc32(b"iTXt" + data))


def bake_png(png: bytes, credential: dict[str, Any] | str) -> bytes:
    """Embed `credential` in one iTXt chunk just before IEND; an earlier bake is replaced."""
    chunk = itxt_chunk(_credential_text(credential))
    out = bytearray(PNG_SIGNATURE)
    for kind, data, start, end in _png_chunks(png):
        if kind == b"IEND":
            out += chunk
        if not _is_credential_chunk(kind, data):
            out += png[start:end]
    return bytes(out)


def extract_png(png: bytes) -> str:
    """The text of the one `openbadgecredential` iTXt chunk (JSON or compact JWS)."""
    found = [data for kind, data, _, _ in _png_chunks(png) if _is_credential_chunk(kind, data)]
    if not found:
        raise BakingError("the PNG holds no openbadgecredential iTXt chunk", code="no_credential")
    if len(found) > 1:
        raise BakingError("the PNG holds more than one openbadgecredential chunk", code="multiple_credentials")
    _, flag, text = _itxt_fields(found[0])
    if flag != 0:
        raise BakingError("the openbadgecredential iTXt chunk is compressed", code="compressed")
    return _decode_utf8(text)


def _decode_utf8(text: bytes) -> str:
    try:
        value = text.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise BakingError("the baked credential is not UTF-8 text", code="credential_encoding") from exc
    if not value:
        raise BakingError("the baked credential is empty", code="no_credential")
    return value


# --- SVG (OB#svg-baking) ---------------------------------------------------------------


def _parse_svg(svg: str) -> Any:
    try:
        root = SafeET.fromstring(svg)
    except (ParseError, DefusedXmlException) as exc:
        raise BakingError(f"not a well-formed, safe SVG document: {exc}", code="not_svg") from exc
    if root.tag not in ("{http://www.w3.org/2000/svg}svg", "svg"):
        raise BakingError(f"the root element is {root.tag!r}, not svg", code="not_svg")
    return root


def _svg_element(text: str) -> str:
    if text.startswith("{"):
        sections = text.replace("]]>", "]]]]><![CDATA[>")  # "]]>" cannot occur inside one CDATA section
        return f"<openbadges:credential><![CDATA[{sections}]]></openbadges:credential>"
    if not _JWS.match(text):
        raise BakingError("a string credential must be JSON or a compact JWS", code="credential_format")
    return f"<openbadges:credential verify={quoteattr(text)}/>"


def _root_start_tag(svg: str) -> tuple[int, int]:
    """(start, end) of the root element's start tag, skipping the prolog (PIs, comments, DOCTYPE)."""
    pos = 0
    while True:
        pos = svg.index("<", pos)
        if svg.startswith("<?", pos):
            pos = svg.index("?>", pos) + 2
        elif svg.startswith("<!--", pos):
            pos = svg.index("-->", pos) + 3
        elif svg.startswith("<!", pos):
            pos = _skip_doctype(svg, pos)
        else:
            return pos, _tag_end(svg, pos)


def _skip_doctype(svg: str, pos: int) -> int:
    depth, quote = 0, ""
    for i in range(pos, len(svg)):
        ch = svg[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == ">" and depth == 0:
            return i + 1
    raise ValueError("unterminated DOCTYPE")


def _tag_end(svg: str, pos: int) -> int:
    """Index just past the `>` closing the tag opened at `pos` (quotes respected)."""
    quote = ""
    for i in range(pos, len(svg)):
        ch = svg[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == ">":
            return i + 1
    raise ValueError("unterminated tag")


def _namespace_attr(start_tag: str) -> str:
    """The xmlns:openbadges declaration to add ('' when already bound to the OB namespace)."""
    match = re.search(r"\sxmlns:openbadges\s*=\s*(\"[^\"]*\"|'[^']*')", start_tag)
    if match is None:
        return f' xmlns:openbadges="{SVG_NAMESPACE}"'
    if match.group(1)[1:-1] != SVG_NAMESPACE:
        raise BakingError("the svg binds the openbadges prefix to another namespace", code="svg_namespace_conflict")
    return ""


def _without_credential(svg: str, tag_end: int) -> str:
    """Remove a credential element that a previous bake put right after the opening tag."""
    match = re.compile(r"\s*<openbadges:credential\b").match(svg, tag_end)
    if match is None:
        raise BakingError("the SVG already holds a credential elsewhere", code="multiple_credentials")
    element_end = _tag_end(svg, match.end())
    if svg[element_end - 2] != "/":  # not self-closing: skip content up to the end tag
        pos = element_end
        while not svg.startswith("</openbadges:credential", pos):
            pos = svg.index("]]>", pos) + 3 if svg.startswith("<![CDATA[", pos) else pos + 1
        element_end = _tag_end(svg, pos)
    return svg[:tag_end] + svg[element_end:]


def bake_svg(svg: str, credential: dict[str, Any] | str) -> str:
    """Embed `credential` as `<openbadges:credential>` right after the `<svg>` opening tag.

    JSON goes in CDATA (split where the text holds "]]>"), a compact JWS in `verify=`. An
    earlier bake placed the same way is replaced.
    """
    root = _parse_svg(svg)
    element = _svg_element(_credential_text(credential))
    try:
        start, end = _root_start_tag(svg)
        if root.find(".//" + _SVG_CREDENTIAL) is not None:
            svg = _without_credential(svg, end)
            start, end = _root_start_tag(svg)
    except ValueError as exc:
        raise BakingError(f"cannot locate the svg opening tag: {exc}", code="not_svg") from exc
    tag = svg[start:end]
    self_closing = tag.endswith("/>")
    head = tag[:-2] if self_closing else tag[:-1]
    opening = head.rstrip() + _namespace_attr(head) + ">"
    closing = "</" + re.match(r"<([^\s/>]+)", tag).group(1) + ">" if self_closing else ""
    baked = svg[:start] + opening + element + closing + svg[end:]
    extract_svg(baked)  # the result must hold exactly one readable credential
    return baked


def extract_svg(svg: str) -> str:
    """The first (and only) `openbadges:credential`: its `verify` JWS, else its text (JSON)."""
    found = list(_parse_svg(svg).iter(_SVG_CREDENTIAL))
    if not found:
        raise BakingError("the SVG holds no openbadges:credential element", code="no_credential")
    if len(found) > 1:
        raise BakingError("the SVG holds more than one openbadges:credential", code="multiple_credentials")
    value = (found[0].get("verify") or found[0].text or "").strip()
    if not value:
        raise BakingError("the openbadges:credential element is empty", code="no_credential")
    return value


def extract(data: bytes) -> str:
    """The baked credential text of a PNG or SVG image, sniffed from its bytes."""
    if data.startswith(PNG_SIGNATURE):
        return extract_png(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BakingError("the file is neither PNG nor UTF-8 SVG", code="unsupported_image") from exc
    if "<svg" not in text:
        raise BakingError("the file is neither PNG nor SVG", code="unsupported_image")
    return extract_svg(text)
