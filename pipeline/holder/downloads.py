"""The credential's downloads (issue 9): the signed JSON, the badge baked per Open Badges 3.0
(PNG: one uncompressed `iTXt` chunk `openbadgecredential`; SVG: `<openbadges:credential>`
with the JSON in CDATA), the PDF certificate, and the collection's zip of all of them.

Every file carries the same text: `view.credential_text(document)`, so what a verifier
extracts from a baked image is exactly the `.json` download.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from issuer.baking import bake_png, bake_svg
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
        body = certificate_pdf(page, badge_png(fw, page.level.key))
    else:
        return None
    return Download(body, MIMETYPES[ext], filename(page, ext))


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
