"""The holder's pages (issue 9): the credential's public page and downloads, and the learner's
private collection. One Flask blueprint, mounted at the root by `pipeline.web.create_app`.

- `GET /c/<uuid>`: the public page (404 when the holder hid it); `/c/<uuid>.json|.png|.svg|.pdf`.
- `GET /me/<token>`: the collection; `POST /me/<token>/credentials/<uuid>/hide|show`;
  `GET /me/<token>/credentials/<uuid>.<ext>` (downloads, hidden or not); `GET /me/<token>/badges.zip`;
  `POST /me/<token>/rotate` (a new link; the old one answers 404).
  The "Add to wallet" form posts to `/me/<token>/credentials/<uuid>/offer`: a new wallet offer,
  then a redirect to its page (`pipeline.wallet`).

The collection's forms need no CSRF token of their own: the secret token is in the path (a
third-party page cannot know it) and there are no cookies. Collection pages are sent
`Referrer-Policy: no-referrer`, `Cache-Control: no-store` and `X-Robots-Tag: noindex`, so the link
does not leak to the sites it links to, caches or search engines. Works without JavaScript.
"""

from __future__ import annotations

import uuid as uuidlib
from datetime import datetime

from flask import Blueprint, Response, abort, redirect, render_template, url_for
from sqlalchemy.orm import Session, selectinload
from werkzeug.routing import BuildError

from pipeline.holder.downloads import Download, collection_zip, download
from pipeline.holder.progress import learner_collection
from pipeline.holder.tokens import collection_secret, learner_for_token, rotate_token
from pipeline.holder.view import CredentialPage, credential_page
from pipeline.outcomes import URN_UUID
from pipeline.services import Services
from pipeline.store.models import Credential, Learner
from pipeline.wallet.errors import WalletError
from pipeline.wallet.offers import create_offer

PRIVATE_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
EXTENSIONS = "any(json, png, svg, pdf)"
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
"""Downloads are data, never a document that runs: an SVG opened on its own runs no script."""


def verify_url() -> str | None:
    """The mounted verifier's form endpoint, when this app has one."""
    try:
        return url_for("verifier.verify_upload")
    except BuildError:
        return None


def _credential(session: Session, credential_uuid: uuidlib.UUID) -> Credential | None:
    return session.get(Credential, URN_UUID + str(credential_uuid), options=[selectinload(Credential.award)])


def _file_response(found: Download | None) -> Response:
    if found is None:
        abort(404)
    response = Response(found.body, mimetype=found.mimetype)
    disposition = "inline" if found.mimetype in ("application/json", "image/png", "image/svg+xml") else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{found.filename}"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def make_holder_blueprint(services: Services) -> Blueprint:
    bp = Blueprint("holder", __name__)
    registry, urls, settings = services.registry, services.urls, services.settings
    secret = collection_secret(settings)

    def page_of(credential: Credential, now: datetime) -> CredentialPage:
        return credential_page(credential, registry=registry, urls=urls, public_url=settings.public_url, now=now)

    def public_credential(credential_uuid: uuidlib.UUID) -> tuple[CredentialPage, dict]:
        with services.read_sessions() as session:
            credential = _credential(session, credential_uuid)
            if credential is None or credential.hidden_at is not None:
                abort(404)
            return page_of(credential, services.clock()), credential.document

    @bp.get("/c/<uuid:credential_uuid>")
    def credential(credential_uuid: uuidlib.UUID) -> Response:
        page, _document = public_credential(credential_uuid)
        html = render_template("holder/credential.html", page=page, verify_url=verify_url(),
                               image_url=f"{page.url}.png")
        response = Response(html, mimetype="text/html")
        response.headers["Cache-Control"] = "no-cache"
        return response

    @bp.get(f"/c/<uuid:credential_uuid>.<{EXTENSIONS}:ext>")
    def credential_file(credential_uuid: uuidlib.UUID, ext: str) -> Response:
        page, document = public_credential(credential_uuid)
        response = _file_response(download(page, document, ext))
        response.headers["Cache-Control"] = "no-cache"
        return response

    # --- the collection -------------------------------------------------------------------
    def learner_or_404(session: Session, token: str) -> Learner:
        learner = learner_for_token(session, token)
        if learner is None:
            abort(404)
        return learner

    def private(response: Response) -> Response:
        response.headers.update(PRIVATE_HEADERS)
        return response

    def owned(session: Session, token: str, credential_uuid: uuidlib.UUID) -> Credential:
        learner = learner_or_404(session, token)
        credential = _credential(session, credential_uuid)
        if credential is None or credential.award.learner_id != learner.id:
            abort(404)
        return credential

    @bp.get("/me/<token>")
    def collection(token: str) -> Response:
        now = services.clock()
        with services.read_sessions() as session:
            learner = learner_or_404(session, token)
            view = learner_collection(session, registry, learner.id)
            pages = [(page_of(c, now), c) for c in view.credentials]
            html = render_template("holder/collection.html", learner=learner, view=view, pages=pages, token=token)
        return private(Response(html, mimetype="text/html"))

    @bp.post("/me/<token>/credentials/<uuid:credential_uuid>/<any(hide, show):action>")
    def set_visibility(token: str, credential_uuid: uuidlib.UUID, action: str) -> Response:
        with services.sessions.begin() as session:
            credential = owned(session, token, credential_uuid)
            credential.hidden_at = services.clock() if action == "hide" else None
        return private(redirect(f"/me/{token}#c-{credential_uuid}", code=303))

    @bp.post("/me/<token>/credentials/<uuid:credential_uuid>/offer")
    def offer_to_wallet(token: str, credential_uuid: uuidlib.UUID) -> Response:
        """"Add to wallet": a new single-use offer (`pipeline.wallet.offers`), shown on its page as
        QR codes for an OID4VCI wallet and for the Learner Credential Wallet."""
        try:
            with services.sessions.begin() as session:
                credential = owned(session, token, credential_uuid)
                links = create_offer(session, credential_id=credential.id, public_url=services.settings.public_url,
                                     now=services.clock())
        except WalletError as error:  # revoked: nothing to deliver
            abort(409, description=error.message)
        return private(redirect(links.page_url, code=303))

    @bp.get(f"/me/<token>/credentials/<uuid:credential_uuid>.<{EXTENSIONS}:ext>")
    def collection_file(token: str, credential_uuid: uuidlib.UUID, ext: str) -> Response:
        with services.read_sessions() as session:
            credential = owned(session, token, credential_uuid)
            found = download(page_of(credential, services.clock()), credential.document, ext)
        return private(_file_response(found))

    @bp.get("/me/<token>/badges.zip")
    def collection_archive(token: str) -> Response:
        now = services.clock()
        with services.read_sessions() as session:
            learner = learner_or_404(session, token)
            credentials = learner_collection(session, registry, learner.id).credentials
            body = collection_zip((page_of(c, now), c.document) for c in credentials)
        response = Response(body, mimetype="application/zip")
        response.headers["Content-Disposition"] = 'attachment; filename="badges.zip"'
        return private(response)

    @bp.post("/me/<token>/rotate")
    def rotate(token: str) -> Response:
        with services.sessions.begin() as session:
            learner = learner_or_404(session, token)
            new_token = rotate_token(session, learner.id, secret, services.clock())
        return private(redirect(f"/me/{new_token}?rotated=1", code=303))

    return bp
