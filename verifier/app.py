"""The verifier web app: composition root (`create_app`), settings, and a mountable blueprint.

Standalone (no database, no pipeline): `create_app(VerifierSettings())`, served by
`verifier.serving.serve` (what the CLI runs). The pipeline can mount `make_blueprint(engine, settings)`.
Settings are read here and nowhere else (DESIGN.md "Composition").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from werkzeug.exceptions import HTTPException

import templates
from issuer.frameworks import FrameworkRegistry
from issuer.host_lists import split_host_list
from verifier import api, page
from verifier.engine import VerifierEngine
from verifier.http import SECURITY_HEADERS
from verifier.resolvers import MiB, Fetcher, GuardedFetcher, GuardPolicy, HostAllowlist

TEMPLATES_DIR = Path(templates.__file__).resolve().parent


class VerifierSettings(BaseSettings):
    """Everything the verifier can be configured with (environment prefix `BADGELINE_VERIFIER_`)."""

    model_config = SettingsConfigDict(env_prefix="BADGELINE_VERIFIER_", extra="ignore")

    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="host[:port] entries the guard may fetch over http or at private addresses.")
    fetch_timeout_s: float = Field(5.0, gt=0, description="Deadline for one guarded fetch, redirects included.")
    request_fetch_budget_s: float = Field(
        15.0, gt=0, description="Time all the fetches of one HTTP request may take together (a batch included).")
    fetch_max_bytes: int = Field(1 * MiB, gt=0, description="Largest document the guard accepts.")
    cache_ttl_s: float = Field(300.0, ge=0, description="How long fetched documents (DID docs, lists) are reused.")
    ca_file: str | None = Field(None, description="Extra CA bundle for https fetches (tests, private PKI).")
    clock_skew_s: float = Field(300.0, ge=0, description="Tolerance for validFrom/validUntil.")
    max_body_bytes: int = Field(2 * MiB, gt=0, description="Largest JSON request body.")
    max_image_bytes: int = Field(10 * MiB, gt=0, description="Largest uploaded file (baked images).")
    batch_limit: int = Field(500, gt=0, description="Most credentials in one batch request.")
    batch_max_bytes: int = Field(32 * MiB, gt=0, description="Largest batch request body.")
    did_web_http_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="host[:port] whose did:web documents are read over http (local only).")

    @field_validator("allowed_hosts", "did_web_http_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: Any) -> Any:
        return split_host_list(value)

    def guard_policy(self) -> GuardPolicy:
        return GuardPolicy(allowlist=HostAllowlist.parse(self.allowed_hosts), timeout_s=self.fetch_timeout_s,
                           max_bytes=self.fetch_max_bytes, cache_ttl_s=self.cache_ttl_s, ca_file=self.ca_file)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def make_engine(settings: VerifierSettings, *, fetcher: Fetcher | None = None,
                registry: FrameworkRegistry | None = None, clock: Callable[[], datetime] = utc_now) -> VerifierEngine:
    """The engine for `settings`; `fetcher`, `registry` and `clock` may be supplied (tests, the pipeline)."""
    return VerifierEngine(fetcher=fetcher or GuardedFetcher(settings.guard_policy()),
                          registry=registry or FrameworkRegistry.bundled(), clock=clock,
                          clock_skew=timedelta(seconds=settings.clock_skew_s),
                          did_web_http=HostAllowlist.parse(settings.did_web_http_hosts))


def make_blueprint(engine: VerifierEngine, settings: VerifierSettings, name: str = "verifier",
                   *, health: bool = True) -> Blueprint:
    """The verifier's routes (VC API, file upload, employer page) as one blueprint.

    `health=False` leaves `/healthz` to the host app (the pipeline has its own).
    """
    bp = Blueprint(name, __name__, template_folder=str(TEMPLATES_DIR))
    bp.record_once(lambda state: state.app.extensions.setdefault("badgeline_verifier", {}).update(
        {name: (engine, settings)}))
    api.register(bp, health=health)
    page.register(bp, engine, settings)

    bp.register_error_handler(HTTPException, page.error_answer)
    return bp


def register_verifier(app: Flask, *, allowed_hosts: list[str] | tuple[str, ...] = (), own_origin: str | None = None,
                      settings: VerifierSettings | None = None,
                      registry: FrameworkRegistry | None = None) -> VerifierEngine:
    """Mount the verifier on another app (the pipeline's web process, `badgeline up`).

    `registry`: the host's framework versions (the pipeline's store); default the bundled ones.
    `own_origin` (e.g. "http://127.0.0.1:8000") is added to the guard's allowlist, and when
    it is plain http its did:web documents are read over http too (local deployments).
    """
    settings = settings or VerifierSettings()
    hosts, http_hosts = [*settings.allowed_hosts, *allowed_hosts], list(settings.did_web_http_hosts)
    if own_origin:
        parts = urlsplit(own_origin)
        if parts.hostname:
            own = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
            hosts.append(own)
            if parts.scheme == "http":
                http_hosts.append(own)
    settings = settings.model_copy(update={"allowed_hosts": hosts, "did_web_http_hosts": http_hosts})
    engine = make_engine(settings, registry=registry)
    mount(app, engine, settings, health=False)
    return engine


def mount(app: Flask, engine: VerifierEngine, settings: VerifierSettings, *, health: bool = True) -> None:
    """The verifier on `app`: its blueprint, and the VC API's POST endpoints in front (`api.MachineAPI`)."""
    app.register_blueprint(make_blueprint(engine, settings, health=health))
    app.wsgi_app = api.MachineAPI(app.wsgi_app, engine, settings)  # type: ignore[method-assign]


def image_sources(allowed_hosts: list[str]) -> list[str]:
    """CSP `img-src`: this page, `data:` badges, and the allowlisted hosts (the only third parties
    the page may show a badge image from, see `verifier.display.displayable_image`)."""
    sources = ["'self'", "data:"]
    for entry in allowed_hosts:
        host_port = entry.strip().lower()
        if host_port:
            port = "" if urlsplit("//" + host_port).port else ":*"
            sources += [f"https://{host_port}{port}", f"http://{host_port}{port}"]
    return sources


def create_app(settings: VerifierSettings | None = None, *, fetcher: Fetcher | None = None,
               registry: FrameworkRegistry | None = None, clock: Callable[[], datetime] = utc_now) -> Flask:
    """The standalone verifier app."""
    settings = settings or VerifierSettings()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = max(settings.max_image_bytes, settings.batch_max_bytes) + 64 * 1024
    mount(app, make_engine(settings, fetcher=fetcher, registry=registry, clock=clock), settings)

    app.register_error_handler(HTTPException, page.error_answer)

    csp = ("default-src 'none'; style-src 'self'; script-src 'self'; "
           f"img-src {' '.join(image_sources(settings.allowed_hosts))}; "
           "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS:
            response.headers.setdefault(name, value)
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", csp)
        return response

    return app
