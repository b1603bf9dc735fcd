"""The employer's page: paste, upload (drag and drop) or link a credential; read one plain verdict.

Works without JavaScript: every action is a form post. `POST /verify` also serves API
clients that send a file body (JSON, JWT text, PNG, SVG) and get the JSON report back.
The hashed-email box re-posts the credential with the typed email (never stored).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import TYPE_CHECKING

from flask import Blueprint, Response, current_app, render_template, request, url_for
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from verifier.display import credential_view, human_date
from verifier.engine import Verification, VerifierEngine, parse_failure
from verifier.errors import FetchError
from verifier.resolvers import HostAllowlist
from verifier.http import explicitly_accepts_html, http_problem, json_response

if TYPE_CHECKING:
    from verifier.app import VerifierSettings

LINK_ACCEPT = ("application/vc+ld+json, application/vc, application/vc+jwt, image/png, image/svg+xml, "
               "application/json;q=0.9, text/plain;q=0.8")
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
ASSETS = {"verifier.css": "text/css", "verifier.js": "text/javascript"}


def wants_html() -> bool:
    """A browser (form post or a page request preferring HTML), not an API client."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    if request.mimetype in FORM_TYPES:
        return best != "application/json" or request.accept_mimetypes["text/html"] > 0
    return best == "text/html" and request.accept_mimetypes["text/html"] > request.accept_mimetypes["application/json"]


def page_context(name: str | None = None) -> dict[str, object]:
    """URLs the templates need, for the blueprint `name` (default: the current or first verifier)."""
    mounted = current_app.extensions.get("badgeline_verifier", {})
    name = name or (request.blueprint if request.blueprint in mounted else next(iter(mounted), None))
    if name is None:
        return {}
    return {"assets": {"css": url_for(f"{name}.asset", name="verifier.css"),
                       "js": url_for(f"{name}.asset", name="verifier.js")},
            "home": url_for(f"{name}.index"), "verify_url": url_for(f"{name}.verify_upload")}


def error_answer(exc: HTTPException) -> Response:
    """An error page for a browser that asks for HTML, else problem+json (with `Allow` on a 405)."""
    if not (wants_html() and explicitly_accepts_html(request.accept_mimetypes)):
        return http_problem(exc)
    response = error_response(exc)
    allowed = getattr(exc, "valid_methods", None)
    if allowed:
        response.headers["Allow"] = ", ".join(sorted(allowed))
    return response


def error_response(exc: HTTPException) -> Response:
    html = render_template("verifier/error.html", status=exc.code, title=exc.name, detail=exc.description,
                           **page_context())
    return Response(html, status=exc.code or 500, mimetype="text/html")


def too_large_message(limit: int) -> str:
    return (f"This file is too large to be a credential: files may be at most {limit // (1024 * 1024)} MiB. "
            "Upload the badge image or the JSON file the issuer gave you, or paste its link.")


def credential_text(verification: Verification) -> str | None:
    """The credential as text, to re-post with an email (JWT as received, JSON re-serialized)."""
    submission = verification.submission
    if submission is None:
        return None
    if submission.jws is not None:
        return submission.jws
    return json.dumps(submission.credential, ensure_ascii=False, separators=(",", ":"))


def register(bp: Blueprint, engine: VerifierEngine, settings: VerifierSettings) -> None:
    """Add the page routes to `bp`."""
    image_hosts = HostAllowlist.parse(settings.allowed_hosts)

    def fetch_and_verify(url: str) -> Verification:
        try:
            data = engine.fetcher.fetch(url.strip(), accept=LINK_ACCEPT)
        except FetchError as exc:
            return Verification(parse_failure(exc.code, f"The link could not be opened: {exc.message}."))
        return engine.verify_bytes(data)

    def render_result(verification: Verification, email: str | None = None, source: str | None = None) -> Response:
        view = credential_view(verification, email, image_hosts=image_hosts)
        html = render_template("verifier/result.html", view=view, email=email or "", source=source,
                               credential_text=credential_text(verification), human_date=human_date,
                               **page_context(bp.name))
        return Response(html, mimetype="text/html")

    def render_index(message: str | None = None, status: int = 200) -> Response:
        html = render_template("verifier/index.html", message=message,
                               max_image_mib=settings.max_image_bytes // (1024 * 1024), **page_context(bp.name))
        return Response(html, status=status, mimetype="text/html")

    @bp.get("/")
    def index() -> Response:
        url = request.args.get("credential", "").strip()
        if not url:
            return render_index()
        return render_result(fetch_and_verify(url), source=url)

    @bp.post("/verify")
    def verify_upload() -> Response:
        request.max_content_length = settings.max_image_bytes + 64 * 1024
        html = wants_html()
        if request.mimetype in FORM_TYPES:
            try:
                verification = _from_form(fetch_and_verify)
            except RequestEntityTooLarge as exc:  # the whole form is over the limit: say what the limit is
                raise RequestEntityTooLarge(too_large_message(settings.max_image_bytes)) from exc
            if verification is None:
                page = html and explicitly_accepts_html(request.accept_mimetypes)
                return render_index("Choose a file, paste a credential or give a link.", 400) if page else \
                    json_response(parse_failure("input_missing", "Nothing was submitted.").as_dict(), 400)
        else:
            verification = engine.verify_bytes(request.get_data())
        if html:
            return render_result(verification, request.form.get("email", "").strip() or None)
        return json_response(verification.body(), 200 if verification.verified else 400)

    def _from_form(fetch: object) -> Verification | None:
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            data = upload.read(settings.max_image_bytes + 1)
            if len(data) > settings.max_image_bytes:
                raise RequestEntityTooLarge(too_large_message(settings.max_image_bytes))
            if data:
                return engine.verify_bytes(data)
        text = request.form.get("credential", "").strip()
        if text:
            return engine.verify_text(text)
        url = request.form.get("url", "").strip()
        if url:
            return fetch_and_verify(url)
        return None

    @bp.get("/assets/<name>")
    def asset(name: str) -> Response:
        if name not in ASSETS:
            return Response("not found", status=404, mimetype="text/plain")
        body = resources.files("templates").joinpath("verifier", name).read_bytes()
        response = Response(body, mimetype=ASSETS[name])
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response
