"""1EdTech Caliper 1.2 `GradeEvent` -> `AssessmentEvent` (issue 3: "Also accepted ... Caliper").

Mapping (documented for the README):

| native field          | Caliper GradeEvent                                                     |
|-----------------------|------------------------------------------------------------------------|
| event_id              | `id` (`urn:uuid:...`)                                                  |
| occurred_at           | `eventTime`                                                            |
| learner.email         | `object.assignee`: `extensions.email`, else an `otherIdentifiers[]`    |
|                       | entry with `identifierType: "EmailAddress"`, else an `id` `mailto:`    |
| learner.did           | `object.assignee.id` when it is a DID                                  |
| learner.name          | `object.assignee.name`                                                 |
| framework + statement | `object.assignable.id`, one of our statement (or level) IRIs           |
| score                 | `generated.scoreGiven / generated.maxScore` (`maxScore` falls back to  |
|                       | `object.assignable.maxScore`); passed = score >= the pass mark         |
| assessment            | `object.assignable.isPartOf` when it is an entity, else the assignable |
|                       | (id, `name` else id)                                                   |

Only `GradeEvent` with action `Graded` is accepted. Sensors send Caliper's Envelope
(`sensor`, `sendTime`, `dataVersion`, `data[]`): `POST /events` takes an envelope of one
event (error paths then point into `/data/0`), `POST /events:batch` takes an envelope of
many as it takes `{"events": [...]}`, one result per `data[]` item.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline import errors as codes
from pipeline.errors import EventRejected, FieldError
from pipeline.events.foreign import Draft, get, number
from pipeline.events.native import EventContext
from pipeline.events.normalized import AssessmentEvent

CALIPER_CONTEXT_MARK = "purl.imsglobal.org/ctx/caliper"


def is_caliper_event(document: Any) -> bool:
    if not isinstance(document, Mapping):
        return False
    context = document.get("@context")
    contexts = context if isinstance(context, list) else [context]
    return any(isinstance(c, str) and CALIPER_CONTEXT_MARK in c for c in contexts)


ENVELOPE_KEYS = frozenset({"sensor", "sendTime", "data"})


def is_caliper_envelope(document: Any) -> bool:
    """A Caliper 1.x Envelope: `sensor`, `sendTime` and a `data` array."""
    return isinstance(document, Mapping) and ENVELOPE_KEYS <= document.keys() and isinstance(document["data"], list)


def envelope_event(envelope: Mapping[str, Any]) -> Any:
    """The one event of an envelope sent to `POST /events`; many go to `events:batch`."""
    data = envelope["data"]
    if len(data) != 1:
        raise EventRejected([FieldError(
            codes.UNSUPPORTED_FORMAT,
            f"this envelope holds {len(data)} events; POST /events takes one: send it to /api/v1/events:batch",
            "/data")])
    return data[0]


def caliper_to_event(event: Mapping[str, Any], ctx: EventContext) -> AssessmentEvent:
    """Map one Caliper GradeEvent onto the native event and validate it."""
    if event.get("type") != "GradeEvent":
        raise EventRejected([FieldError(codes.UNSUPPORTED_FORMAT, f"Caliper {event.get('type')!r} is not accepted; send GradeEvents", "/type")])
    draft = Draft("caliper")
    if event.get("action") != "Graded":
        draft.fail(codes.SCHEMA_VIOLATION, "a GradeEvent's action must be Graded", "/action")
    draft.put("/event_id", event.get("id"), "/id")
    draft.put("/occurred_at", event.get("eventTime"), "/eventTime")
    _learner(draft, get(event, "object", "assignee"))
    _assessment(draft, get(event, "object", "assignable"))
    ref = draft.target(get(event, "object", "assignable", "id"), "/object/assignable/id", ctx.public_url)
    score = _score(draft, event)
    if ref is not None and score is not None:
        draft.result(ref, score, None, "/generated/scoreGiven", "/generated", "/generated")
    elif score is None:
        draft.omitted.update({"/results", "/level", "/score", "/passed"})
    return draft.finish(ctx)


def _email(assignee: Any) -> tuple[str | None, str]:
    email = get(assignee, "extensions", "email")
    if isinstance(email, str):
        return email, "/object/assignee/extensions/email"
    for i, other in enumerate(get(assignee, "otherIdentifiers") or []):
        if get(other, "identifierType") == "EmailAddress" and isinstance(get(other, "identifier"), str):
            return other["identifier"], f"/object/assignee/otherIdentifiers/{i}/identifier"
    person_id = get(assignee, "id")
    if isinstance(person_id, str) and person_id.lower().startswith("mailto:"):
        return person_id[len("mailto:"):], "/object/assignee/id"
    return None, "/object/assignee"


def _learner(draft: Draft, assignee: Any) -> None:
    draft.paths["/learner"] = "/object/assignee"
    email, path = _email(assignee)
    draft.put("/learner/email", email, path)
    person_id = get(assignee, "id")
    if isinstance(person_id, str) and person_id.startswith("did:"):
        draft.put("/learner/did", person_id, "/object/assignee/id")
    draft.put("/learner/name", get(assignee, "name"), "/object/assignee/name")
    draft.doc.setdefault("learner", {})


def _assessment(draft: Draft, assignable: Any) -> None:
    parent = get(assignable, "isPartOf")
    source = "/object/assignable/isPartOf" if isinstance(parent, Mapping) and "id" in parent else "/object/assignable"
    entity = parent if source.endswith("isPartOf") else assignable
    draft.paths["/assessment"] = source
    draft.put("/assessment/id", get(entity, "id"), source + "/id")
    draft.put("/assessment/name", get(entity, "name") or get(entity, "id"), source + "/name")


def _score(draft: Draft, event: Mapping[str, Any]) -> float | None:
    given = number(get(event, "generated", "scoreGiven"))
    if given is None:
        draft.fail(codes.SCHEMA_VIOLATION, "generated.scoreGiven (a number) is required", "/generated/scoreGiven")
        return None
    maximum, path = number(get(event, "generated", "maxScore")), "/generated/maxScore"
    if maximum is None:
        maximum, path = number(get(event, "object", "assignable", "maxScore")), "/object/assignable/maxScore"
    if maximum is None or maximum <= 0:
        draft.fail(codes.SCHEMA_VIOLATION, "a positive maxScore is required (generated or assignable)", path)
        return None
    return given / maximum
