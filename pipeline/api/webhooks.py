"""Webhook routes of the provider API (issue 9, "Telling the provider"):

- `POST /webhooks` `{"url", "events"?}`: `201` with the webhook and its `secret` (shown this once;
  deliveries are signed with it, see `pipeline.webhooks.signing`). `events` defaults to all of
  `credential.issued`, `credential.revoked`, `credential.expiring`. The URL must be https (plain
  http and private or loopback addresses only for hosts in `BADGELINE_WEBHOOK_ALLOWED_HOSTS`):
  otherwise `400` with path `/url`.
- `GET /webhooks`: `{"webhooks": [...]}`, the provider's active webhooks (no secrets).
- `DELETE /webhooks/<id>`: `204`; its pending deliveries are dropped. `404` for another's.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response

from pipeline.errors import PipelineError
from pipeline.services import Services
from pipeline.webhooks.outbox import WebhookError, active_webhooks, delete_webhook, register_webhook, webhook_resource
from pipeline.webhooks.transport import DeliveryRefused, GuardedPoster

from .auth import current_caller
from .events import json_response, read_body, require_json
from .problems import BAD_REQUEST, NotFound

MAX_BODY = 16 * 1024
MAX_URL = 1000


def _registration() -> tuple[str, list[str] | None]:
    require_json()
    try:
        body = json.loads(read_body(MAX_BODY))
    except (ValueError, UnicodeDecodeError) as error:
        raise PipelineError("the body is not JSON", code=BAD_REQUEST) from error
    if not isinstance(body, dict):
        raise PipelineError("send a JSON object {\"url\", \"events\"}", code=BAD_REQUEST, path="")
    url, events = body.get("url"), body.get("events")
    if not isinstance(url, str) or not url or len(url) > MAX_URL:
        raise PipelineError(f"`url` must be an absolute https URL of at most {MAX_URL} characters",
                            code=BAD_REQUEST, path="/url")
    if events is not None and (not isinstance(events, list) or not all(isinstance(e, str) for e in events)):
        raise PipelineError("`events` must be a list of event types", code=BAD_REQUEST, path="/events")
    return url, events


def register_webhook_routes(bp: Blueprint, services: Services) -> None:
    """Add the `/webhooks` routes to `bp` (mounted at `/api/v1`)."""
    poster = GuardedPoster(services.settings.webhook_allowed_hosts)
    public_url = services.settings.public_url

    @bp.post("/webhooks")
    def post_webhook() -> Response:
        caller = current_caller()
        url, events = _registration()
        try:
            poster.check(url)
        except DeliveryRefused as error:
            raise PipelineError(error.message, code=BAD_REQUEST, path="/url") from error
        with services.sessions.begin() as session:
            try:
                row, secret = register_webhook(session, provider_id=caller.provider_id, url=url, events=events,
                                               now=services.clock())
            except WebhookError as error:
                raise PipelineError(error.message, code=BAD_REQUEST, path=error.path) from error
            resource = {**webhook_resource(row, public_url), "secret": secret}
        return json_response(resource, 201, {"Location": resource["self"]})

    @bp.get("/webhooks")
    def list_webhooks() -> Response:
        caller = current_caller()
        with services.read_sessions() as session:
            rows = [webhook_resource(r, public_url) for r in active_webhooks(session, caller.provider_id)]
        return json_response({"webhooks": rows})

    @bp.delete("/webhooks/<webhook_id>")
    def remove_webhook(webhook_id: str) -> Response:
        caller = current_caller()
        with services.sessions.begin() as session:
            if not delete_webhook(session, provider_id=caller.provider_id, webhook_id=webhook_id,
                                  now=services.clock()):
                raise NotFound(f"no webhook {webhook_id} for this API key")
        return Response(status=204)
