"""The issuer's public material: what a verifier or a person needs to check our credentials.

- `/.well-known/did.json` (or `/<path>/did.json`): the did:web document (did:web issuers only)
- `/issuer`: the issuer's profile page, where credentials' `issuer.url` points (`pipeline.issuer_page`)
- `/status/<list>`: signed Bitstring Status List credentials (signed by the worker, served as stored,
  with an `ETag`, conditional GET (`304`) and `Cache-Control` max-age = the list's `ttl`)
- `/frameworks/...`: each framework version, level, statement, rubric, Achievement and CASE export,
  at the URLs credentials align to (`issuer.frameworks.urls`); HTML for people, JSON for machines.
  Every page shows the attribution and licence the framework's sources require. Also
  `/frameworks/<code>/versions.json` (versions, current, retired) and each crosswalk's exact
  bytes at `/frameworks/<code>/<version>/crosswalks/<from version>.json`.

No signing key is needed here: this runs in the web process.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, jsonify, render_template, request

from issuer.credentials import build_achievement
from issuer.dids import did_web_document_url
from issuer.errors import IssuerError
from issuer.frameworks.case import to_cfpackage
from pipeline.alias_urls import RequestUrls
from pipeline.identity import issuer_did_document
from pipeline.issuer_page import register_issuer_page
from pipeline.services import Services
from pipeline.statuslists import LIST_TTL_MS
from pipeline.store.models import StatusList

JSON_LD = "application/ld+json"
CACHE_PUBLIC = "public, max-age=300"
STATUS_LIST_CACHE = f"public, max-age={LIST_TTL_MS // 1000}, must-revalidate"


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json", JSON_LD, "application/vc"])
    return best not in (None, "text/html")


def json_response(document, *, mimetype: str = "application/json", cache: str = CACHE_PUBLIC) -> Response:
    response = jsonify(document)
    response.mimetype = mimetype
    response.headers["Cache-Control"] = cache
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def did_document_path(did: str) -> str | None:
    """The path (on our host) that serves the did:web document of `did`."""
    try:
        return urlsplit(did_web_document_url(did)).path
    except IssuerError:
        return None


def make_publish_blueprint(services: Services) -> Blueprint:
    bp = Blueprint("publish", __name__)
    registry, settings = services.registry, services.settings
    urls = RequestUrls(services)  # under the base (current or alias) each request came in on

    def framework_or_404(code: str, version: str):
        try:
            return registry.get(code, version)
        except IssuerError:
            abort(404)

    def level_or_404(code: str, version: str, level: str):
        """(framework, level) named by the URL, or 404."""
        fw = framework_or_404(code, version)
        try:
            return fw, fw.level(level)
        except IssuerError:
            abort(404)

    def render_framework_page(fw):
        return render_template("publish/framework.html", fw=fw, urls=urls, newer=registry.newer_than(fw),
                               retired=registry.is_retired(fw.code, fw.version),
                               crosswalks=registry.crosswalks_into(fw))

    did_path = did_document_path(settings.issuer_did) if settings.issuer_did else None
    register_issuer_page(bp, services, wants_json, json_response, did_path)
    if did_path:
        @bp.get(did_path, endpoint="did_document")
        def did_document():
            with services.read_sessions() as session:
                document = issuer_did_document(settings, session)
            return json_response(document, mimetype="application/did+json", cache="public, max-age=60")


    @bp.get("/status/<list_id>")
    def status_list(list_id: str):
        with services.read_sessions() as session:
            row = session.get(StatusList, list_id)
            document = getattr(row, "document", None) if row else None
        if document is None:
            abort(404)
        # Cached at most the list's own ttl (BSL §2.2); revalidation by ETag answers 304.
        response = json_response(document, mimetype="application/vc", cache=STATUS_LIST_CACHE)
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
        return response.make_conditional(request)

    @bp.get("/frameworks/")
    def frameworks_index():
        items = [(fw, urls.framework(fw)) for fw in registry.all()]
        if wants_json():
            return json_response([{"id": u, "code": fw.code, "version": fw.version, "title": fw.title,
                                   "sha256": fw.sha256_hex} for fw, u in items])
        return render_template("publish/frameworks.html", items=items)

    @bp.get("/frameworks/<code>/<version>.json")
    def framework_document(code: str, version: str):
        fw = framework_or_404(code, version)
        response = Response(fw.raw_bytes, mimetype="application/json")  # the exact pinned bytes
        response.headers["Cache-Control"] = "public, max-age=86400, immutable"
        response.headers["Digest"] = f"sha-256={fw.digest_sri.removeprefix('sha256-')}"
        return response

    @bp.get("/frameworks/<code>/<version>")
    def framework_page(code: str, version: str):
        fw = framework_or_404(code, version)
        if wants_json():
            return json_response(to_cfpackage(fw, urls)["CFDocument"])
        return render_framework_page(fw)

    @bp.get("/frameworks/<code>/versions.json")
    def framework_versions(code: str):
        """Every version of one occupation, oldest first, which is current and which retired
        (what a standalone verifier reads to say "v.26.11 is current")."""
        versions = registry.versions(code)
        if not versions:
            abort(404)
        items = [{"version": v, "id": urls.framework(registry.get(code, v)),
                  "document": urls.document(registry.get(code, v)), "sha256": registry.get(code, v).sha256_hex,
                  "retired": registry.is_retired(code, v)} for v in versions]
        return json_response({"code": code, "current": registry.latest(code).version, "versions": items},
                             cache="public, max-age=60")

    @bp.get("/frameworks/<code>/<version>/crosswalks/<from_version>.json")
    def crosswalk_document(code: str, version: str, from_version: str):
        """The exact bytes of the crosswalk from `from_version` into this version."""
        walk = registry.crosswalk((code, from_version), (code, version))
        if walk is None:
            abort(404)
        response = Response(walk.raw_bytes, mimetype="application/json")
        response.headers["Cache-Control"] = "public, max-age=86400, immutable"
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    @bp.get("/frameworks/<code>/<version>/case.json")
    def framework_case(code: str, version: str):
        return json_response(to_cfpackage(framework_or_404(code, version), urls))

    @bp.get("/frameworks/<code>/<version>/rubric")
    def framework_rubric(code: str, version: str):
        fw = framework_or_404(code, version)
        achievement = build_achievement(fw, fw.levels[0].key, urls)
        rubric = dict(achievement["resultDescription"][0])
        rubric.pop("requiredLevel", None)
        if wants_json():
            return json_response(rubric)
        return render_framework_page(fw)

    @bp.get("/frameworks/<code>/<version>/levels/<level>")
    def level_page(code: str, version: str, level: str):
        fw, lv = level_or_404(code, version, level)
        if wants_json():
            rubric = build_achievement(fw, lv.key, urls)["resultDescription"][0]
            return json_response(next(r for r in rubric["rubricCriterionLevel"] if r["id"] == urls.level(fw, lv.key)))
        return render_template("publish/level.html", fw=fw, level=lv, urls=urls)

    @bp.get("/frameworks/<code>/<version>/achievements/<level>")
    def achievement(code: str, version: str, level: str):
        fw, lv = level_or_404(code, version, level)
        if wants_json():
            return json_response(build_achievement(fw, lv.key, urls, image=urls.achievement_image(fw, lv.key)))
        return render_template("publish/level.html", fw=fw, level=lv, urls=urls)

    @bp.get("/frameworks/<code>/<version>/achievements/<level>/image.svg")
    def achievement_image(code: str, version: str, level: str):
        fw, lv = level_or_404(code, version, level)
        svg = render_template(f"badges/{lv.key}.svg", initials=fw.human_code_prefix, level_label=lv.label,
                              rank=lv.rank, ranks=len(fw.levels), framework_title=fw.title, version=fw.version)
        response = Response(svg, mimetype="image/svg+xml")
        response.headers["Cache-Control"] = "public, max-age=86400"
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    @bp.get("/frameworks/<code>/<version>/statements/<statement>")
    def statement_page(code: str, version: str, statement: str):
        fw = framework_or_404(code, version)
        try:
            st = fw.statement(statement)
        except IssuerError:
            abort(404)
        if wants_json():
            items = to_cfpackage(fw, urls)["CFItems"]
            return json_response(next(i for i in items if i.get("humanCodingScheme") == st.code))
        return render_template("publish/statement.html", fw=fw, st=st, level=fw.level(st.level), urls=urls)

    @bp.errorhandler(404)
    def not_found(error):
        if not wants_json():
            return error
        body = {"type": "about:blank", "title": "Not found", "status": 404, "code": "not_found",
                "detail": f"nothing is published at {request.path}"}
        return json_response(body, mimetype="application/problem+json", cache="no-store"), 404

    return bp
