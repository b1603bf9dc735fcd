"""xAPI statements, starting from the real cmi5 example."""

from __future__ import annotations

import uuid

import pytest

from pipeline.errors import EventRejected
from pipeline.events import parse_event

from .conftest import codes_and_paths, load

ADL = "http://adlnet.gov/expapi/verbs/"


def _reject(doc, ctx):
    with pytest.raises(EventRejected) as caught:
        parse_event(doc, ctx)
    return codes_and_paths(caught.value)


def test_untouched_example_names_no_statement_of_ours(ctx):
    found = _reject(load("xapi-cmi5-passed-statement.json"), ctx)
    assert found == [("unknown_statement", "/object/id")]  # its account-only actor is a learner identity


def test_an_account_actor_is_a_provider_scoped_learner(ctx):
    """cmi5 LMSs name the actor by `account` only: the learner is that provider's account of them."""
    statement = load("xapi-passed-statement.adapted.json")
    statement["actor"] = {"objectType": "Agent", "name": "Ana Diaz",
                          "account": {"homePage": "https://lms.example.org", "name": "u-42"}}
    learner = parse_event(statement, ctx).learner
    assert (learner.email, learner.did, learner.account) == (None, None, "https://lms.example.org#u-42")
    statement["actor"]["account"] = {"homePage": "not a url", "name": "u-42"}
    assert ("schema_violation", "/actor/account/homePage") in _reject(statement, ctx)


def test_adapted_example(ctx):
    event = parse_event(load("xapi-passed-statement.adapted.json"), ctx)
    assert event.source_format == "xapi" and event.provider_event_id == "be675bfa-5725-49ed-bda5-22b96b77122b"
    assert event.learner.email == "ana@example.org" and event.learner.name == "Ana Diaz"
    assert (event.framework_code, event.framework_version) == ("29-2052.00", "v.26.05")
    assert [(r.statement, r.score, r.passed) for r in event.results] == [("P03", 0.94, True)]
    assert event.assessment_id == "http://course-repository.example.edu/identifiers/courses/02baafcf/aus/4c07"
    assert event.assessment_name == "Introduction to Geology"
    assert event.occurred_at.isoformat() == "2016-06-09T17:38:26.318000+00:00"


@pytest.mark.parametrize(("verb", "result", "passed"), [
    ("failed", {"score": {"scaled": 0.95}}, False),
    ("completed", {"score": {"scaled": 0.85}}, True),
    ("completed", {"score": {"scaled": 0.75}}, False),
    ("scored", {"score": {"raw": 45, "max": 50}}, True),
    ("scored", {"score": {"raw": 45, "max": 50}, "success": False}, False),
    ("passed", {}, True),
])
def test_verbs(ctx, verb, result, passed):
    doc = load("xapi-passed-statement.adapted.json")
    doc["verb"]["id"] = ADL + verb
    doc["result"] = result
    assert parse_event(doc, ctx).results[0].passed is passed


def test_urn_and_level_activity_ids(ctx):
    doc = load("xapi-passed-statement.adapted.json")
    doc["object"]["id"] = "urn:badgeline:29-2052.00:v.26.05:A10"
    assert parse_event(doc, ctx).results[0].statement == "A10"
    doc["object"]["id"] = "https://badges.example.org/frameworks/29-2052.00/v.26.05/levels/advanced"
    event = parse_event(doc, ctx)
    assert event.level == "advanced" and len(event.results) == 10


def test_did_learner_from_openid(ctx):
    doc = load("xapi-passed-statement.adapted.json")
    doc["actor"] = {"objectType": "Agent", "openid": "did:key:z6MkAna"}
    assert parse_event(doc, ctx).learner.did == "did:key:z6MkAna"


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d["verb"].update(id=ADL + "experienced"), ("schema_violation", "/verb/id")),
    (lambda d: d["result"].update(success=False), ("schema_violation", "/result/success")),
    (lambda d: d["result"]["score"].update(scaled=-0.5), ("score_out_of_range", "/result/score/scaled")),
    (lambda d: d.update(timestamp="2016-06-09T17:38:26"), ("invalid_date", "/timestamp")),
    (lambda d: d.update(id=""), ("schema_violation", "/id")),
    (lambda d: d["object"].update(id="urn:badgeline:29-2052.00:v.26.05:P42"), ("unknown_statement", "/object/id")),
    (lambda d: d["object"].update(id="urn:badgeline:29-2052.00:v.01.01:P01"), ("unknown_framework_version", "/object/id")),
    (lambda d: d.update(actor={"name": "No Mailbox"}), ("missing_learner_identity", "/actor")),
    (lambda d: d["actor"].update(mbox="mailto:not an email"), ("schema_violation", "/actor/mbox")),
])
def test_rejections_point_into_the_statement(ctx, change, expected):
    doc = load("xapi-passed-statement.adapted.json")
    change(doc)
    assert expected in _reject(doc, ctx)


def test_completed_without_any_result_is_refused(ctx):
    doc = load("xapi-passed-statement.adapted.json")
    doc["verb"]["id"] = ADL + "completed"
    del doc["result"]
    assert _reject(doc, ctx) == [("schema_violation", "/result")]


def test_id_and_timestamp_are_optional(ctx):
    """xAPI makes both optional: a missing id is derived from the statement (stable, so a re-sent
    statement is a replay), a missing timestamp falls back to `stored`, then to the time received."""
    statement = load("xapi-passed-statement.adapted.json")
    del statement["id"], statement["timestamp"]
    event = parse_event(statement, ctx)
    assert event.occurred_at == ctx.now
    again = parse_event(_without(statement), ctx)
    assert again.provider_event_id == event.provider_event_id
    assert str(uuid.UUID(event.provider_event_id)) == event.provider_event_id
    other = _without(statement) | {"result": {"score": {"scaled": 0.99}}}
    assert parse_event(other, ctx).provider_event_id != event.provider_event_id
    stored = parse_event(_without(statement) | {"stored": "2026-11-19T08:00:00Z"}, ctx)
    assert stored.occurred_at.isoformat() == "2026-11-19T08:00:00+00:00"


def _without(statement, *names):
    return {k: v for k, v in statement.items() if k not in names}
