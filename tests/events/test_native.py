"""The native event: shapes, pass mark, every rejection code with its JSON pointer."""

from __future__ import annotations

import pytest

from pipeline.errors import EventRejected
from pipeline.events import AssessmentEvent, parse_event, validate_native

from .conftest import codes_and_paths


def _reject(doc, ctx):
    with pytest.raises(EventRejected) as caught:
        validate_native(doc, ctx)
    return codes_and_paths(caught.value)


def test_statement_results(native, ctx):
    native["results"].append({"statement": "P04", "score": 0.7})
    event = validate_native(native, ctx)
    assert event.learner.email == "ana@example.org" and event.source_format == "native"
    assert [(r.statement, r.level, r.score, r.passed) for r in event.results] == [
        ("P03", "proficient", 0.92, True), ("P04", "proficient", 0.7, False)]
    assert event.occurred_at.isoformat() == "2026-11-20T15:04:05+00:00" and event.level is None


@pytest.mark.parametrize(("score", "passed"), [(0.8, True), (0.7999, False), (1, True), (0, False)])
def test_pass_mark_decides_when_passed_is_omitted(native, ctx, score, passed):
    native["results"] = [{"statement": "E01", "score": score}]
    assert validate_native(native, ctx).results[0].passed is passed


def test_explicit_passed_wins_over_score(native, ctx):
    native["results"] = [{"statement": "E01", "score": 0.1, "passed": True}, {"statement": "E02", "passed": False}]
    assert [r.passed for r in validate_native(native, ctx).results] == [True, False]


def test_whole_level_expands_to_its_ten_statements(native, ctx):
    del native["results"]
    native.update(level="developing", score=0.88)
    event = validate_native(native, ctx)
    assert event.level == "developing"
    assert [r.statement for r in event.results] == [f"D{i:02d}" for i in range(1, 11)]
    assert all(r.passed and r.score == 0.88 for r in event.results)


def test_offsets_become_utc(native, ctx):
    native["occurred_at"] = "2026-11-20T17:04:05.123456789+02:00"
    assert validate_native(native, ctx).occurred_at.isoformat() == "2026-11-20T15:04:05.123456+00:00"


def test_round_trip_through_json(native, ctx):
    event = validate_native(native, ctx)
    assert AssessmentEvent.from_json(event.to_json()) == event


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d["framework"].update(version="v.99.01"), ("unknown_framework_version", "/framework/version")),
    (lambda d: d["framework"].update(id="11-0000.00"), ("unknown_framework_version", "/framework/id")),
    (lambda d: d["results"].append({"statement": "P11", "score": 1}), ("unknown_statement", "/results/1/statement")),
    (lambda d: (d.pop("results"), d.update(level="expert", score=1)), ("unknown_level", "/level")),
    (lambda d: d["results"][0].update(score=1.2), ("score_out_of_range", "/results/0/score")),
    (lambda d: d["results"][0].update(score=-0.1), ("score_out_of_range", "/results/0/score")),
    (lambda d: (d.pop("results"), d.update(level="emerging", score=7)), ("score_out_of_range", "/score")),
    (lambda d: d.update(occurred_at="2026-11-20T16:05:01Z"), ("future_date", "/occurred_at")),
    (lambda d: d.update(occurred_at="2026-11-20T15:04:05"), ("invalid_date", "/occurred_at")),
    (lambda d: d.update(occurred_at="2026-02-30T15:04:05Z"), ("invalid_date", "/occurred_at")),
    (lambda d: d.update(learner={"name": "Nobody"}), ("missing_learner_identity", "/learner")),
    (lambda d: d.update(extra=1), ("schema_violation", "/extra")),
    (lambda d: d.update(type="assessment.started"), ("schema_violation", "/type")),
    (lambda d: d["learner"].update(email="not-an-email"), ("schema_violation", "/learner/email")),
    (lambda d: d["learner"].update(did="did:bad"), ("schema_violation", "/learner/did")),
    (lambda d: d["results"][0].update(passed="yes"), ("schema_violation", "/results/0/passed")),
    (lambda d: d["results"][0].update(score="0.9"), ("schema_violation", "/results/0/score")),
    (lambda d: d["results"].append({"statement": "P03", "score": 1}), ("schema_violation", "/results/1/statement")),
    (lambda d: d["results"].append({"statement": "P04"}), ("schema_violation", "/results/1")),
    (lambda d: d["assessment"].update(url=None), ("schema_violation", "/assessment/url")),
    (lambda d: d.update(level="emerging"), ("schema_violation", "/level")),
    (lambda d: d.pop("results"), ("schema_violation", "/results")),
    (lambda d: d.update(results=[]), ("schema_violation", "/results")),
    (lambda d: d.pop("event_id"), ("schema_violation", "/event_id")),
])
def test_rejections(native, ctx, change, expected):
    change(native)
    assert expected in _reject(native, ctx)


def test_all_problems_are_reported_together(native, ctx):
    native["occurred_at"] = "yesterday-ish"
    native["learner"] = {"name": "x"}
    native["results"] = [{"statement": "Q01", "score": 0.5}]
    found = _reject(native, ctx)
    assert {"invalid_date", "missing_learner_identity", "unknown_statement"} <= {c for c, _ in found}


def test_error_as_dict_has_code_message_path(native, ctx):
    native["results"][0]["score"] = 2
    with pytest.raises(EventRejected) as caught:
        parse_event(native, ctx)
    body = caught.value.as_dict()
    assert body["code"] == "score_out_of_range" and body["path"] == "/results/0/score"
    assert body["errors"] == [{"code": "score_out_of_range", "message": body["message"], "path": "/results/0/score"}]


def test_schema_and_meaning_problems_are_reported_together(native, ctx):
    """Five problems of two kinds (schema and meaning) in one event: all five come back at once."""
    native["learner"] = {"name": "Ana"}                       # missing_learner_identity
    native["occurred_at"] = "2026-13-40T00:00:00Z"            # invalid_date
    native["assessment"] = {"id": "quiz-17"}                  # schema_violation: name is required
    native["results"] = [{"statement": "Q01", "score": 0.5},  # unknown_statement
                         {"statement": "P04", "score": 3}]    # score_out_of_range
    native["extra"] = True                                    # schema_violation: unexpected field
    found = set(_reject(native, ctx))
    assert {("missing_learner_identity", "/learner"), ("invalid_date", "/occurred_at"),
            ("schema_violation", "/assessment/name"), ("unknown_statement", "/results/0/statement"),
            ("score_out_of_range", "/results/1/score"), ("schema_violation", "/extra")} <= found


def test_a_null_does_not_hide_the_other_problems(native, ctx):
    native["assessment"]["url"] = None
    native["framework"]["version"] = "v.99.01"
    found = set(_reject(native, ctx))
    assert {("schema_violation", "/assessment/url"), ("unknown_framework_version", "/framework/version")} <= found
