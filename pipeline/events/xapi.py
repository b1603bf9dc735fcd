"""xAPI 1.0.3 statements -> `AssessmentEvent` (issue 3: "Also accepted ... xAPI statements").

Mapping (documented for the README):

| native field          | xAPI statement                                                         |
|-----------------------|------------------------------------------------------------------------|
| event_id              | `id`; without one (it is optional in xAPI), a UUID v5 of the statement  |
|                       | (RFC 8785 canonical JSON), so a re-sent statement is a replay           |
| occurred_at           | `timestamp` (RFC 3339 with offset), else `stored`, else time received   |
| learner.email         | `actor.mbox` without `mailto:`                                         |
| learner.did           | `actor.openid` when it is a DID                                        |
| learner.name          | `actor.name`                                                           |
| learner.account       | `actor.account` (`homePage`, `name`): the provider's own account of    |
|                       | the learner, used when there is no `mbox` or DID (see the README)      |
| framework + statement | `object.id`, one of our statement (or level) IRIs, see `activity_ids` |
| score                 | `result.score.scaled` (must be in 0..1; xAPI allows -1..1), else       |
|                       | `(raw - min) / (max - min)` when `raw` and `max` are given (min 0)     |
| passed                | verb `passed` -> true, `failed` -> false; `completed` / `scored` ->    |
|                       | `result.success` if given, else score vs the framework's pass mark     |
| assessment            | first `context.contextActivities.parent`, else first `grouping`,      |
|                       | else the object; name from `definition.name` (en-US, en, und, first),  |
|                       | url from `definition.moreInfo`                                         |

Other verbs are refused (`schema_violation` at `/verb/id`). A `passed` verb with
`result.success: false` (or `failed` with `true`) contradicts itself and is refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import rfc8785

from issuer.errors import json_pointer
from pipeline import errors as codes
from pipeline.events.foreign import Draft, get, language_map_text, number
from pipeline.events.native import EventContext
from pipeline.events.normalized import AssessmentEvent

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {ADL + "passed": "passed", ADL + "failed": "failed", ADL + "completed": "completed", ADL + "scored": "scored"}


def is_xapi_statement(document: Any) -> bool:
    return isinstance(document, Mapping) and {"actor", "verb", "object"} <= document.keys()


def xapi_to_event(statement: Mapping[str, Any], ctx: EventContext) -> AssessmentEvent:
    """Map one xAPI statement onto the native event and validate it."""
    draft = Draft("xapi")
    draft.put("/event_id", statement["id"] if "id" in statement else derived_statement_id(statement), "/id")
    draft.put(*_occurred_at(statement, ctx))
    _learner(draft, statement.get("actor"))
    _assessment(draft, statement)
    verb = _verb(draft, statement)
    ref = draft.target(get(statement, "object", "id"), "/object/id", ctx.public_url)
    if ref is not None and verb is not None:
        score, score_path = _score(draft, statement.get("result"))
        passed = _passed(draft, verb, get(statement, "result", "success"))
        draft.result(ref, score, passed, score_path, "/result/success", "/result")
    return draft.finish(ctx)


STATEMENT_ID_NAMESPACE = uuid.UUID("5b7f1c1e-4f4e-5d0a-9a53-6261646765ce")
"""Namespace of derived statement ids (fixed: changing it would turn replays into new events)."""


def derived_statement_id(statement: Mapping[str, Any]) -> str:
    """A stable id for a statement sent without one: UUID v5 of its RFC 8785 canonical JSON."""
    try:
        canonical = rfc8785.dumps(statement)
    except (rfc8785.CanonicalizationError, TypeError, ValueError):
        return str(uuid.uuid4())  # not canonicalizable JSON: the validator refuses it anyway
    return str(uuid.uuid5(STATEMENT_ID_NAMESPACE, canonical.decode("utf-8")))


def _occurred_at(statement: Mapping[str, Any], ctx: EventContext) -> tuple[str, Any, str]:
    """`timestamp` when given; else `stored` (set by an LRS); else the time we received it."""
    for name in ("timestamp", "stored"):
        if name in statement:
            return "/occurred_at", statement[name], "/" + name
    return "/occurred_at", ctx.now.isoformat().replace("+00:00", "Z"), "/timestamp"


def _learner(draft: Draft, actor: Any) -> None:
    draft.paths["/learner"] = "/actor"
    mbox = get(actor, "mbox")
    if isinstance(mbox, str) and mbox.lower().startswith("mailto:"):
        draft.put("/learner/email", mbox[len("mailto:"):], "/actor/mbox")
    openid = get(actor, "openid")
    if isinstance(openid, str) and openid.startswith("did:"):
        draft.put("/learner/did", openid, "/actor/openid")
    draft.put("/learner/name", get(actor, "name"), "/actor/name")
    if isinstance(get(actor, "account"), Mapping):
        draft.put("/learner/account/home_page", get(actor, "account", "homePage"), "/actor/account/homePage")
        draft.put("/learner/account/name", get(actor, "account", "name"), "/actor/account/name")
        draft.paths["/learner/account"] = "/actor/account"
    draft.doc.setdefault("learner", {})


def _assessment(draft: Draft, statement: Mapping[str, Any]) -> None:
    for path in (("context", "contextActivities", "parent", 0), ("context", "contextActivities", "grouping", 0), ("object",)):
        activity = get(statement, *path)
        if isinstance(activity, Mapping) and "id" in activity:
            break
    source = json_pointer(path)
    draft.paths["/assessment"] = source
    draft.put("/assessment/id", activity.get("id") if isinstance(activity, Mapping) else None, source + "/id")
    name = language_map_text(get(activity, "definition", "name")) or get(activity, "id")
    draft.put("/assessment/name", name, source + "/definition/name")
    draft.put("/assessment/url", get(activity, "definition", "moreInfo"), source + "/definition/moreInfo")


def _verb(draft: Draft, statement: Mapping[str, Any]) -> str | None:
    verb_id = get(statement, "verb", "id")
    verb = VERBS.get(verb_id) if isinstance(verb_id, str) else None
    if verb is None:
        draft.fail(codes.SCHEMA_VIOLATION, f"verb {verb_id!r} is not one of: {', '.join(VERBS)}", "/verb/id",
                   omits="/results")
    return verb


def _score(draft: Draft, result: Any) -> tuple[float | None, str]:
    scaled = get(result, "score", "scaled")
    if scaled is not None:
        value = number(scaled)
        if value is None:
            draft.fail(codes.SCHEMA_VIOLATION, "result.score.scaled must be a number", "/result/score/scaled")
        return value, "/result/score/scaled"
    raw, low, high = (number(get(result, "score", k)) for k in ("raw", "min", "max"))
    if raw is None or high is None:
        return None, "/result/score"
    low = low or 0.0
    if high <= low:
        draft.fail(codes.SCHEMA_VIOLATION, "result.score.max must be above result.score.min", "/result/score/max")
        return None, "/result/score"
    return (raw - low) / (high - low), "/result/score/raw"


def _passed(draft: Draft, verb: str, success: Any) -> bool | None:
    if success is not None and not isinstance(success, bool):
        draft.fail(codes.SCHEMA_VIOLATION, "result.success must be true or false", "/result/success")
        return None
    if verb in {"passed", "failed"}:
        verdict = verb == "passed"
        if success is not None and success != verdict:
            draft.fail(codes.SCHEMA_VIOLATION, f"verb {verb} contradicts result.success={str(success).lower()}", "/result/success")
        return verdict
    return success
