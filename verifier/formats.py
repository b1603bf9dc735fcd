"""What was submitted: a JSON credential, a compact JWS, an EnvelopedVerifiableCredential, or a
credential baked into a PNG or SVG image (OB 3.0 §5.3; VCDM 2.0 §4.13.1 enveloped credentials;
VC-JOSE-COSE §3.1.1 `data:application/vc+jwt,<jws>`). Sniffed from the content, never
from a file name or a declared media type.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

from issuer.baking import PNG_SIGNATURE, extract
from issuer.errors import BakingError
from issuer.json_limits import JsonLimitError, bounded_loads
from issuer.jsondoc import JsonDocumentError, parse_json
from verifier.errors import FormatError
from verifier.jwt import is_compact_jws

ENVELOPED = "EnvelopedVerifiableCredential"
JWT_MEDIA_TYPES = frozenset({"application/vc+jwt", "application/vc-ld+jwt", "application/jwt"})


@dataclass(frozen=True)
class Submission:
    """One credential as received: `format` is json, jwt, enveloped, png or svg."""

    format: str
    credential: Any = None
    jws: str | None = None
    image: bytes | None = None
    image_type: str | None = None

    @property
    def secured_by_jws(self) -> bool:
        return self.jws is not None


def _types(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def is_enveloped(value: Any) -> bool:
    return isinstance(value, dict) and ENVELOPED in _types(value.get("type"))


def jws_from_envelope(envelope: dict[str, Any]) -> str:
    """The compact JWS in an EnvelopedVerifiableCredential's `data:` URL id."""
    data_url = envelope.get("id")
    if not isinstance(data_url, str) or not data_url.startswith("data:") or "," not in data_url:
        raise FormatError("an EnvelopedVerifiableCredential needs a data: URL id", code="envelope_invalid")
    head, _, body = data_url[len("data:"):].partition(",")
    media_type, *params = head.split(";")
    if media_type.strip().lower() not in JWT_MEDIA_TYPES:
        raise FormatError(f"enveloped media type {media_type!r} is not supported (application/vc+jwt)",
                          code="envelope_unsupported")
    try:
        raw = base64.b64decode(body, validate=True) if "base64" in params else unquote_to_bytes(body)
        text = raw.decode("ascii").strip()
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise FormatError("the enveloped credential is not readable text", code="envelope_invalid") from exc
    if not is_compact_jws(text):
        raise FormatError("the enveloped credential is not a compact JWS", code="envelope_invalid")
    return text


def read_json_value(value: Any) -> Submission:
    """A JSON value from an API body: an enveloped JWT or a credential (shape checked later)."""
    if is_enveloped(value):
        return Submission("enveloped", jws=jws_from_envelope(value))
    if isinstance(value, str):
        if is_compact_jws(value):
            return Submission("jwt", jws=value.strip())
        raise FormatError("a credential must be a JSON object (or a compact JWT string)", code="not_an_object")
    return Submission("json", credential=value)


def read_text(text: str) -> Submission:
    """Pasted or uploaded text: JSON, a compact JWS, or SVG markup."""
    stripped = text.strip().lstrip("\ufeff")
    if not stripped:
        raise FormatError("nothing was submitted", code="format_empty")
    if stripped.startswith("<"):
        return _from_image(stripped.encode("utf-8"), "svg", "image/svg+xml")
    if is_compact_jws(stripped):
        return Submission("jwt", jws=stripped)
    try:
        value = bounded_loads(stripped, parse_json)
    except (JsonDocumentError, JsonLimitError) as exc:
        raise FormatError(f"the text is neither JSON nor a compact JWT ({exc.message})", code=exc.code) from exc
    return read_json_value(value)


def read_bytes(data: bytes) -> Submission:
    """An uploaded file: a baked PNG, an SVG, or UTF-8 text."""
    if data.startswith(PNG_SIGNATURE):
        return _from_image(data, "png", "image/png")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError("the file is not a PNG, an SVG or UTF-8 text", code="format_unrecognized") from exc
    return read_text(text)


def _from_image(data: bytes, kind: str, media_type: str) -> Submission:
    try:
        baked = extract(data)
    except BakingError as exc:
        raise FormatError(f"the {kind.upper()} image: {exc.message}", code=exc.code) from exc
    except ValueError as exc:  # defensive: a malformed image must not escape as a crash
        raise FormatError(f"the {kind.upper()} image is malformed: {exc}", code="image_invalid") from exc
    if is_compact_jws(baked):
        return Submission(kind, jws=baked, image=data, image_type=media_type)
    try:
        value = bounded_loads(baked, parse_json)
    except (JsonDocumentError, JsonLimitError) as exc:
        raise FormatError(f"the credential baked in the {kind.upper()} is not JSON or a JWT ({exc.message})",
                          code=exc.code) from exc
    return Submission(kind, credential=value, image=data, image_type=media_type)
