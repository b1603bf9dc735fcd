"""`GET /metrics`: the store's figures in the Prometheus text format (issue 10, "Operations").

Read from the database at scrape time, so every web process answers the same and nothing is
lost when a process restarts: events by state, credentials issued, revoked and suspended,
status lists, and the age of the oldest event not yet final. Task durations and verdict
counts are not exported yet (they need per-process counters; see docs/reliability.md).
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response
from sqlalchemy import func, select

from pipeline.services import Services
from pipeline.store.models import EVENT_STATES, Credential, Event, StatusList

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _family(name: str, kind: str, help_text: str, samples: list[tuple[str, float]]) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    lines += [f"{name}{labels} {value:g}" for labels, value in samples]
    return lines


def exposition(services: Services, now: datetime) -> str:
    """The metrics text for the store behind `services`."""
    with services.read_sessions() as session:
        by_state = dict(session.execute(select(Event.state, func.count()).group_by(Event.state)).all())
        issued = session.scalar(select(func.count()).select_from(Credential)) or 0
        revoked = session.scalar(select(func.count()).select_from(Credential).where(Credential.revoked_at.isnot(None)))
        suspended = session.scalar(select(func.count()).select_from(Credential).where(
            Credential.suspended_at.isnot(None)))
        lists = session.scalar(select(func.count()).select_from(StatusList)) or 0
        oldest = session.scalar(select(func.min(Event.received_at)).where(Event.state.in_(("received", "processing"))))
    age = (now - oldest).total_seconds() if oldest is not None else 0.0
    lines = [
        *_family("badgeline_events", "gauge", "Stored events by state.",
                 [(f'{{state="{state}"}}', by_state.get(state, 0)) for state in EVENT_STATES]),
        *_family("badgeline_credentials_issued_total", "counter", "Credentials issued.", [("", issued)]),
        *_family("badgeline_credentials_revoked", "gauge", "Credentials revoked.", [("", revoked or 0)]),
        *_family("badgeline_credentials_suspended", "gauge", "Credentials suspended.", [("", suspended or 0)]),
        *_family("badgeline_status_lists", "gauge", "Status lists allocated.", [("", lists)]),
        *_family("badgeline_oldest_unfinished_event_age_seconds", "gauge",
                 "Age of the oldest event not yet processed or rejected (0 when none).", [("", age)]),
    ]
    return "\n".join(lines) + "\n"


def make_metrics_blueprint(services: Services) -> Blueprint:
    bp = Blueprint("metrics", __name__)

    @bp.get("/metrics")
    def metrics() -> Response:
        return Response(exposition(services, services.clock()), content_type=CONTENT_TYPE,
                        headers={"Cache-Control": "no-store"})

    return bp
