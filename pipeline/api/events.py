"""Event routes of the provider API (issue 3, "Provider API"):

- `POST /events`: one JSON event (native, xAPI statement or Caliper GradeEvent). `202` +
  `Location` when stored, `200` for an identical replay, problems otherwise.
- `POST /events:batch`: `{"events": [...]}` (1..`max_batch_events` items). Always `200`
  when the envelope is readable, with one result per item in order:
  `{"index", "status", "event"}` (202 stored, 200 replay) or `{"index", "status", "error"}`
  (`error` is a problem object). A bad item never blocks the others.
- `POST /events:csv` (`text/csv`, header in `pipeline.events.csv_rows`): `200` with one
  result per data row, `{"row", "event_id", "status", "event" | "error"}`.
- `GET /events/<id>`: the event resource, for the provider that posted it only (404 otherwise);
  `<id>` is our id (the resource's `id`) or the provider's own `event_id`.

Body limits: one event at most `settings.max_event_bytes` (256 KiB); a batch or CSV upload
at most `max_event_bytes * 64` (16 MiB). Both the declared `Content-Length` and the bytes
actually streamed (chunked requests) are checked; above the limit: `413 payload_too_large`,
nothing stored. Order of checks: 401, 415, 413, 400, 422, 403, 409.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.intake import Accepted, accept_csv, accept_documents, accept_event, batch_documents
from pipeline.outcomes import load_event_resources
from pipeline.services import Services
from pipeline.store.models import Event

from .auth import current_caller
from .problems import NotFound, PayloadTooLarge, UnsupportedMediaType, error_body

log = logging.getLogger(__name__)

BATCH_BYTES_FACTOR = 64
READ_CHUNK = 64 * 1024
JSON_TYPES = "application/json (or any +json type)"


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json",
                    headers=dict(headers or {}))


def require_json() -> None:
    """`415` unless the body is declared as JSON (`application/json` or `application/*+json`)."""
    mimetype = request.mimetype
    if mimetype != "application/json" and not (mimetype.startswith("application/") and mimetype.endswith("+json")):
        raise UnsupportedMediaType(f"send {JSON_TYPES}, not {mimetype or 'no Content-Type'}")


def require_csv() -> None:
    if request.mimetype != "text/csv":
        raise UnsupportedMediaType(f"send text/csv, not {request.mimetype or 'no Content-Type'}")


def read_body(limit: int) -> bytes:
    """The request body, refusing more than `limit` bytes: first by `Content-Length`, then by
    counting what actually arrives (a chunked request has no length to trust)."""
    declared = request.content_length
    if declared is not None and declared > limit:
        raise PayloadTooLarge(f"the body has {declared} bytes; at most {limit} are accepted")
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = request.stream.read(min(READ_CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the body is over {limit} bytes; at most {limit} are accepted")


def find_provider_event(session: Session, provider_id: str, event_id: str) -> Event | None:
    """The caller's event by our id, else by the provider's own `event_id`; None otherwise."""
    event = session.get(Event, event_id)
    if event is not None and event.provider_id == provider_id:
        return event
    return session.scalar(select(Event).where(Event.provider_id == provider_id, Event.provider_event_id == event_id))


def _resources(services: Services, accepted: Sequence[Accepted]) -> dict[str, dict[str, Any]]:
    events = list({a.event.id: a.event for a in accepted}.values())
    with services.read_sessions() as session:
        found = load_event_resources(session, events, public_url=services.settings.public_url)
    return {resource["id"]: resource for resource in found}


def _result(outcome: Any, resources: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    if outcome.accepted is not None:
        return {"status": 202 if outcome.accepted.created else 200, "event": resources[outcome.accepted.event.id]}
    body = error_body(outcome.error)
    return {"status": body["status"], "error": body}


def _summary(results: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    statuses = [r["status"] for r in results]
    return {"accepted": statuses.count(202), "replayed": statuses.count(200),
            "refused": sum(1 for s in statuses if s >= 400)}


def register_event_routes(bp: Blueprint, services: Services) -> None:
    """Add the event routes to `bp` (mounted at `/api/v1`)."""
    settings = services.settings
    bulk_limit = settings.max_event_bytes * BATCH_BYTES_FACTOR

    @bp.post("/events")
    def post_event() -> Response:
        caller = current_caller()
        require_json()
        accepted = accept_event(services, caller, read_body(settings.max_event_bytes))
        log.info("event %s %s", accepted.event.id, "accepted" if accepted.created else "replayed",
                 extra={"event_id": accepted.event.id, "provider_id": caller.provider_id})
        resource = _resources(services, [accepted])[accepted.event.id]
        return json_response(resource, 202 if accepted.created else 200, {"Location": resource["url"]})

    @bp.post("/events:batch")
    def post_batch() -> Response:
        caller = current_caller()
        require_json()
        documents = batch_documents(read_body(bulk_limit), settings.max_batch_events)
        outcomes = accept_documents(services, caller, documents)
        resources = _resources(services, [o.accepted for o in outcomes if o.accepted is not None])
        results = [{"index": o.index, **_result(o, resources)} for o in outcomes]
        return json_response({"results": results, "summary": _summary(results)})

    @bp.post("/events:csv")
    def post_csv() -> Response:
        caller = current_caller()
        require_csv()
        intake = accept_csv(services, caller, read_body(bulk_limit))
        resources = _resources(services, [o.accepted for o in intake.events if o.accepted is not None])
        rows = [{"row": r.row, "event_id": r.event_id, **_result(r, resources)} for r in intake.rows]
        events = [_result(o, resources) for o in intake.events]
        unreadable = [row for row in rows if row["event_id"] is None]  # refused rows of no event (issue 10)
        return json_response({"rows": rows, "summary": _summary(events + unreadable)})

    @bp.get("/events/<path:event_id>")
    def get_event(event_id: str) -> Response:
        caller = current_caller()
        with services.read_sessions() as session:
            event = find_provider_event(session, caller.provider_id, event_id)
            if event is None:
                raise NotFound(f"no event {event_id} for this API key")
        resource = _resources(services, [Accepted(event, created=False)])[event.id]
        return json_response(resource)
