"""The credential's downloads (issue 9): the signed JSON, the badge baked per Open Badges 3.0
(PNG: one uncompressed `iTXt` chunk `openbadgecredential`; SVG: `<openbadges:credential>`
with the JSON in CDATA), the PDF certificate, and the collection's zip of all of them.

Every file carries the same text: `view.credential_text(document)`, so what a verifier
extracts from a baked image is exactly the `.json` download.
"""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from issuer.baking import bake_png, bake_svg
from issuer.frameworks.models import Framework
from pipeline.holder.artwork import badge_png, badge_svg
from pipeline.holder.certificate import certificate_pdf
from pipeline.holder.view import CredentialPage, credential_text

MIMETYPES = {"json": "application/json", "png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


@dataclass(frozen=True)
class Download:
    body: bytes
    mimetype: str
    filename: str


def filename(page: CredentialPage, ext: str) -> str:
    level = page.level.key if page.level else "credential"
    return f"{page.framework_code}-{page.framework_version}-{level}-{page.uuid[:8]}.{ext}"


def download(page: CredentialPage, document: dict, ext: str) -> Download | None:
    """The `ext` file of the credential; None for an image when its framework is no longer held."""
    text, fw = credential_text(document), page.framework
    if ext == "json":
        body = text.encode()
    elif fw is None or page.level is None:
        return None
    elif ext == "png":
        body = bake_png(badge_png(fw, page.level.key), text)
    elif ext == "svg":
        body = bake_svg(badge_svg(fw, page.level.key), text).encode()
    elif ext == "pdf":
        body = _pdf(page, text, fw)
    else:
        return None
    return Download(body, MIMETYPES[ext], filename(page, ext))


_PDFS: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
_PDF_LOCK = threading.Lock()
PDF_CACHE_ENTRIES = 128


def _pdf(page: CredentialPage, text: str, fw: Framework) -> bytes:
    """The certificate, from a small per-process LRU: parsing the TrueType fonts takes most of a
    second, and the certificate changes only with the credential, its URL and the framework."""
    key = (page.url, hashlib.sha256(text.encode()).hexdigest(), fw.sha256_hex)
    with _PDF_LOCK:
        if key in _PDFS:
            _PDFS.move_to_end(key)
            return _PDFS[key]
    body = certificate_pdf(page, badge_png(fw, page.level.key))
    with _PDF_LOCK:
        _PDFS[key] = body
        while len(_PDFS) > PDF_CACHE_ENTRIES:
            _PDFS.popitem(last=False)
    return body


def collection_zip(items: Iterable[tuple[CredentialPage, dict]]) -> bytes:
    """A zip with each credential's JSON and baked PNG."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for page, document in items:
            for ext in ("json", "png"):
                found = download(page, document, ext)
                if found is not None:
                    archive.writestr(found.filename, found.body)
    return out.getvalue()
