"""Caliper 1.2 GradeEvents, starting from the real example."""

from __future__ import annotations

import pytest

from pipeline.errors import EventRejected
from pipeline.events import parse_event

from .conftest import codes_and_paths, load


def _reject(doc, ctx):
    with pytest.raises(EventRejected) as caught:
        parse_event(doc, ctx)
    return codes_and_paths(caught.value)


def test_untouched_example_names_no_statement_of_ours(ctx):
    found = _reject(load("caliper-v1p2-grade-event-graded.json"), ctx)
    assert found[0] == ("unknown_statement", "/object/assignable/id")
    assert ("missing_learner_identity", "/object/assignee") in found


def test_assessment_event_is_not_accepted(ctx):
    assert _reject(load("caliper-v1p2-assessment-event-submitted.json"), ctx) == [("unsupported_format", "/type")]


def test_adapted_example_scores_against_the_pass_mark(ctx):
    doc = load("caliper-grade-event.adapted.json")
    event = parse_event(doc, ctx)
    assert event.source_format == "caliper" and event.provider_event_id == "urn:uuid:a50ca17f-5971-47bb-8fca-4e6e6879001d"
    assert event.learner.email == "ben@example.edu" and event.learner.name == "Ben Okafor"
    (result,) = event.results
    assert (result.statement, result.passed) == ("D04", False) and result.score == pytest.approx(10 / 15)
    doc["generated"]["scoreGiven"] = 12.0
    assert parse_event(doc, ctx).results[0].passed is True  # 12/15 = 0.8, the pass mark


@pytest.mark.parametrize(("assignee", "email", "did"), [
    ({"id": "mailto:Cy@Example.edu", "type": "Person"}, "cy@example.edu", None),
    ({"id": "did:key:z6MkCy", "type": "Person"}, None, "did:key:z6MkCy"),
    ({"id": "https://x.example/u/1", "type": "Person", "extensions": {"email": "cy@example.edu"}}, "cy@example.edu", None),
])
def test_learner_identity_sources(ctx, assignee, email, did):
    doc = load("caliper-grade-event.adapted.json")
    doc["object"]["assignee"] = assignee
    learner = parse_event(doc, ctx).learner
    assert (learner.email, learner.did) == (email, did)


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d["generated"].update(scoreGiven=16.0), ("score_out_of_range", "/generated/scoreGiven")),
    (lambda d: d["generated"].update(maxScore=0), ("schema_violation", "/generated/maxScore")),
    (lambda d: d["generated"].pop("scoreGiven"), ("schema_violation", "/generated/scoreGiven")),
    (lambda d: d.update(action="Submitted"), ("schema_violation", "/action")),
    (lambda d: d.update(eventTime="2099-01-01T00:00:00Z"), ("future_date", "/eventTime")),
    (lambda d: d["object"]["assignable"].update(id="urn:badgeline:29-2052.00:v.26.05:level:expert"), ("unknown_level", "/object/assignable/id")),
])
def test_rejections_point_into_the_event(ctx, change, expected):
    doc = load("caliper-grade-event.adapted.json")
    change(doc)
    assert expected in _reject(doc, ctx)


def test_max_score_falls_back_to_the_assignable(ctx):
    doc = load("caliper-grade-event.adapted.json")
    del doc["generated"]["maxScore"]
    doc["object"]["assignable"]["maxScore"] = 10.0
    assert parse_event(doc, ctx).results[0].score == 1.0


def _envelope(*events):
    """A sensor's Envelope as Caliper 1.2 sensors send it."""
    return {"sensor": "https://lms.example.org/sensors/1", "sendTime": "2026-11-20T15:05:00.000Z",
            "dataVersion": "http://purl.imsglobal.org/ctx/caliper/v1p2", "data": list(events)}


def test_an_envelope_of_one_event_is_that_event(ctx):
    event = load("caliper-grade-event.adapted.json")
    assert parse_event(_envelope(event), ctx) == parse_event(event, ctx)


def test_errors_inside_an_envelope_point_into_data(ctx):
    event = load("caliper-grade-event.adapted.json")
    event["generated"]["scoreGiven"] = "high"
    assert ("schema_violation", "/data/0/generated/scoreGiven") in _reject(_envelope(event), ctx)
    assert _reject(_envelope("not an event"), ctx) == [("schema_violation", "/data/0")]


def test_an_envelope_of_many_events_is_sent_to_the_batch_route(ctx):
    event = load("caliper-grade-event.adapted.json")
    [(code, path)] = _reject(_envelope(event, event), ctx)
    assert (code, path) == ("unsupported_format", "/data")
