"""The issuing service's web process: provider API, published material and (in `badgeline up`)
the verifier, on one port. Composition root: `create_app(settings)`.

Launch by import string: `python -m verifier.waitress_guard --call pipeline.web:app_from_env` (what `badgeline web`
and `badgeline up` do). The web process never loads the signing key.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, jsonify, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from pipeline.api import RETRY_AFTER_S
from pipeline.api.problems import STORE_UNAVAILABLE, problem_body, problem_response
from pipeline.framework_admin import make_framework_admin_blueprint
from pipeline.framework_catalog import refresh_registry
from pipeline.health import Health, check_health
from pipeline.holder.pages import make_holder_blueprint
from pipeline.issue_service import CredentialIssuer
from pipeline.json_logs import use_json_logs
from pipeline.metrics import make_metrics_blueprint
from pipeline.publish import make_publish_blueprint
from pipeline.services import Services, build_services
from pipeline.settings import Settings
from pipeline.store import is_transient
from pipeline.vcapi import make_vcapi_blueprint
from pipeline.wallet.signing import BoundIssuer, CeleryBoundIssuer
from pipeline.wallet.web import register_wallet_routes
from verifier.http import explicitly_accepts_html, http_problem

if TYPE_CHECKING:
    from verifier.engine import VerifierEngine

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def create_app(settings: Settings, *, services: Services | None = None, mount_verifier: bool = True,
               credential_issuer: CredentialIssuer | None = None, bound_issuer: BoundIssuer | None = None) -> Flask:
    """The web app for `settings`; tests may pass prepared `services` (e.g. another dispatcher),
    `credential_issuer` (VC API issuing, mounted only with `settings.admin_key_hash`) and
    `bound_issuer` (wallet delivery; by default a worker over `settings.redis_url`)."""
    if services is None:
        from pipeline.worker import CeleryDispatcher, create_celery_app  # the web only sends tasks

        services = build_services(settings, dispatcher=CeleryDispatcher(create_celery_app(settings)))
    if settings.admin_key_hash and credential_issuer is None:
        from pipeline.worker import CeleryCredentialIssuer, create_celery_app  # signing happens in the worker

        credential_issuer = CeleryCredentialIssuer(create_celery_app(settings))
    if bound_issuer is None and settings.redis_url:
        from pipeline.worker import create_celery_app  # the wallet's credential is signed in the worker

        bound_issuer = CeleryBoundIssuer(create_celery_app(settings))
    app = Flask(__name__, template_folder=str(TEMPLATES), static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_event_bytes * 64
    app.extensions["badgeline"] = services
    app.before_request(lambda: refresh_registry(services.registry))  # versions added by any process

    from pipeline.api import make_api_blueprint

    app.register_blueprint(make_api_blueprint(services), url_prefix="/api/v1")
    app.register_blueprint(make_publish_blueprint(services))
    app.register_blueprint(make_holder_blueprint(services))
    app.register_blueprint(make_vcapi_blueprint(settings, credential_issuer))
    if settings.admin_key_hash:
        app.register_blueprint(make_framework_admin_blueprint(services))
    register_wallet_routes(app, services, bound_issuer)
    engine = mount_verifier_app(app, settings, services) if mount_verifier else None
    app.register_blueprint(make_metrics_blueprint(services, engine.verdict_counts if engine is not None else None))

    def health() -> Health:
        return check_health(services.engine, settings.redis_url, settings.celery_queue)

    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(SQLAlchemyError, _store_error)

    @app.get("/healthz")
    def healthz():
        """Liveness: every check is reported; only a database that is down makes it a 503."""
        found = health()
        body = {"status": "ok" if found.ok else "degraded", "checks": found.checks}
        return jsonify(body), 200 if found.checks["database"] else 503

    @app.get("/readyz")
    def readyz():
        """Readiness: 200 when every part is up, else 503 naming the parts that are down."""
        found = health()
        body = {"status": "ready" if found.ok else "not_ready", "down": found.down, "checks": found.checks,
                **found.details}
        return jsonify(body), 200 if found.ok else 503

    return app


def _http_error(exc: HTTPException) -> Any:
    """Errors outside the blueprints' own handlers: Flask's page for a browser asking for HTML,
    else problem+json, both keeping `Allow` on a 405 (issue 10, finding 10)."""
    if explicitly_accepts_html(request.accept_mimetypes):
        return exc
    return http_problem(exc)


def _store_error(error: SQLAlchemyError) -> Any:
    """The database is down or busy (published pages, outside the API's own handler): 503 with
    Retry-After, never a 500; anything else stays a 500 (issue 10, "Operations")."""
    if not is_transient(error):
        log.exception("unexpected database error")
        return InternalServerError(original_exception=error)
    log.warning("store unavailable: %s", error)
    return problem_response(problem_body(503, STORE_UNAVAILABLE), {"Retry-After": RETRY_AFTER_S})


def mount_verifier_app(app: Flask, settings: Settings, services: Services | None = None) -> VerifierEngine:
    """Serve the employer verifier (`/`, `/verify`, `/credentials/verify`, ...) from this app too,
    its framework check reading the service's own (stored) framework versions."""
    from verifier.app import register_verifier

    return register_verifier(app, allowed_hosts=settings.verifier_allowed_hosts, own_origin=settings.public_url,
                             registry=services.registry if services else None)


def app_from_env() -> Flask:
    """Factory for `waitress-serve --call`: settings from `BADGELINE_*` environment variables."""
    settings = Settings()
    if settings.log_format == "json":
        use_json_logs()
    return create_app(settings)
