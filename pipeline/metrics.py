"""`GET /metrics`: the store's figures in the Prometheus text format (issue 10, "Operations").

Read from the database at scrape time, so every web process answers the same and nothing is
lost when a process restarts: events by state, credentials issued, revoked and suspended,
status lists, the age of the oldest event not yet final, and how long recent events took from
acceptance to their outcome (quantiles over the last `RECENT_EVENTS` finished events: the
pipeline's end-to-end processing time, whichever worker did it). One figure is this process's
own: verifications answered by its verifier, by verdict (a counter that starts at 0 when the
process starts; scrape every web process).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, Response
from sqlalchemy import func, select

from pipeline.services import Services
from pipeline.store.models import EVENT_STATES, Credential, Event, StatusList

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
RECENT_EVENTS = 1000
QUANTILES = (0.5, 0.9, 0.99)
VERDICTS = ("verified", "incomplete", "not-verified")


def quantile(sorted_values: list[float], q: float) -> float:
    """The `q` quantile (nearest rank) of ascending `sorted_values`; 0 when there are none."""
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, max(0, round(q * len(sorted_values)) - 1))]


def _family(name: str, kind: str, help_text: str, samples: list[tuple[str, float]]) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    lines += [f"{name}{labels} {value:g}" for labels, value in samples]
    return lines


def _recent_durations(session: Any) -> list[float]:
    rows = session.execute(select(Event.received_at, Event.finished_at).where(Event.finished_at.isnot(None))
                           .order_by(Event.finished_at.desc()).limit(RECENT_EVENTS)).all()
    return sorted(max(0.0, (finished - received).total_seconds()) for received, finished in rows)


def exposition(services: Services, now: datetime, verdicts: dict[str, int] | None = None) -> str:
    """The metrics text for the store behind `services` (and this process's verifier `verdicts`)."""
    with services.read_sessions() as session:
        by_state = dict(session.execute(select(Event.state, func.count()).group_by(Event.state)).all())
        issued = session.scalar(select(func.count()).select_from(Credential)) or 0
        revoked = session.scalar(select(func.count()).select_from(Credential).where(Credential.revoked_at.isnot(None)))
        suspended = session.scalar(select(func.count()).select_from(Credential).where(
            Credential.suspended_at.isnot(None)))
        lists = session.scalar(select(func.count()).select_from(StatusList)) or 0
        oldest = session.scalar(select(func.min(Event.received_at)).where(Event.state.in_(("received", "processing"))))
        durations = _recent_durations(session)
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
        *_family("badgeline_event_processing_seconds", "summary",
                 f"From acceptance to outcome, over the last {RECENT_EVENTS} finished events.",
                 [(f'{{quantile="{q}"}}', quantile(durations, q)) for q in QUANTILES]
                 + [("_count", len(durations)), ("_sum", sum(durations))]),
    ]
    if verdicts is not None:
        lines += _family("badgeline_verifications_total", "counter",
                         "Verifications answered by this process's verifier, by verdict.",
                         [(f'{{verdict="{v}"}}', verdicts.get(v, 0)) for v in VERDICTS])
    return "\n".join(lines) + "\n"


def make_metrics_blueprint(services: Services, verdict_counts: Callable[[], dict[str, int]] | None = None) -> Blueprint:
    """`/metrics`; `verdict_counts` is the mounted verifier engine's (absent: no verifier here)."""
    bp = Blueprint("metrics", __name__)

    @bp.get("/metrics")
    def metrics() -> Response:
        verdicts = verdict_counts() if verdict_counts is not None else None
        return Response(exposition(services, services.clock(), verdicts), content_type=CONTENT_TYPE,
                        headers={"Cache-Control": "no-store"})

    return bp
