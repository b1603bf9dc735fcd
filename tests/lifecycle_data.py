"""Shared test data for the credential lifecycle (issue 8): the bundled framework with a level
policy that makes `proficient` credentials expire, so expiry and renewal can be exercised."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any

from issuer.dates import format_datetime_z
from issuer.frameworks.loader import load_framework
from issuer.frameworks.registry import FrameworkRegistry
from issuer.frameworks.urls import FrameworkUrls
from pipeline.events import EventContext, parse_event
from pipeline.identity import load_issuing_identity
from pipeline.processing import Processor, process_event
from pipeline.settings import Settings
from pipeline.store.event_log import record_event
from pipeline.store.models import Provider

VALID_FOR_DAYS = 365
RENEW_WITHIN_DAYS = 30
_DATA = resources.files("issuer.frameworks").joinpath("data")


def expiring_registry(valid_for_days: int = VALID_FOR_DAYS, renew_within_days: int = RENEW_WITHIN_DAYS
                      ) -> FrameworkRegistry:
    """The bundled framework, its policy extended with `validForDays`/`renewWithinDays` on `proficient`."""
    policy = json.loads(_DATA.joinpath("pharmacy-technicians.v26.05.policy.json").read_bytes())
    policy["levels"]["proficient"].update({"validForDays": valid_for_days, "renewWithinDays": renew_within_days})
    raw = _DATA.joinpath("pharmacy-technicians.v26.05.json").read_bytes()
    return FrameworkRegistry([load_framework(raw, policy=json.dumps(policy).encode(), source="expiring")])


FRAMEWORK = {"id": "29-2052.00", "version": "v.26.05"}


def proficient_event(event_id: str, email: str, occurred_at: datetime, *, statements: range = range(1, 11),
                     passed: bool = True) -> dict[str, Any]:
    """A native event passing (or failing) proficient statements P01..P10 for `email`."""
    return {"event_id": event_id, "type": "assessment.completed",
            "occurred_at": format_datetime_z(occurred_at), "learner": {"email": email, "name": email.split("@")[0]},
            "framework": dict(FRAMEWORK),
            "assessment": {"id": f"exam-{event_id}", "name": "Proficiency exam",
                           "url": f"https://lms.example.org/exams/{event_id}"},
            "results": [{"statement": f"P{n:02d}", "score": 0.9, "passed": passed} for n in statements]}


@dataclass
class Issuer:
    """Records events as the API would and processes them with the worker's use case, in process,
    at a settable time `now` (a provider per Issuer)."""

    sessions: Any
    settings: Settings
    registry: FrameworkRegistry
    now: datetime
    provider_id: str | None = None

    def processor(self) -> Processor:
        return Processor(sessions=self.sessions, registry=self.registry, urls=FrameworkUrls(self.settings.public_url),
                         public_url=self.settings.public_url, clock=lambda: self.now,
                         identity=lambda s, now: load_issuing_identity(self.settings, s, now))

    def record(self, doc: dict[str, Any]) -> str:
        parsed = parse_event(doc, EventContext(frameworks=self.registry, public_url=self.settings.public_url,
                                               now=self.now))
        with self.sessions.begin() as s:
            if self.provider_id is None:
                provider = Provider(name=f"College {uuid.uuid4().hex[:6]}", url="https://college.example.org",
                                    created_at=self.now)
                s.add(provider)
                s.flush()
                self.provider_id = provider.id
            return record_event(s, provider_id=self.provider_id, provider_event_id=doc["event_id"],
                                raw_payload=json.dumps(doc, sort_keys=True).encode(), source_format="native",
                                parsed=parsed.to_json(), now=self.now).event.id

    def process(self, doc: dict[str, Any]) -> list[str]:
        """Record and process one event; the ids of the credentials it issued."""
        return list(process_event(self.processor(), self.record(doc)).credential_ids)

    def passes(self, email: str, occurred_at: datetime | None = None) -> list[str]:
        return self.process(proficient_event(f"ev-{uuid.uuid4().hex[:10]}", email, occurred_at or self.now))
