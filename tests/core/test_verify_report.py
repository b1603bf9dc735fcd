"""issuer.verify: the report itself: check order, extra checks, `verified` and the `as_dict()` shape."""

from __future__ import annotations

import json
from datetime import datetime

from issuer import problems as P
from issuer.problems import CheckResult, Outcome, Problem
from issuer.verify import VerificationReport

from .conftest import NOW, outcomes, verify

CORE = ["parse", "contexts", "schema", "resources", "proof", "issuer", "validity"]  # resources: it cites a framework


def named(name, fn):
    fn.check_name = name
    return fn


def test_core_checks_in_order(signed):
    report = verify(signed)
    assert [c.name for c in report.checks] == CORE
    assert report.credential == signed
    assert report.check("nope") is None


def test_extra_checks_are_appended_in_order_and_see_the_parsed_credential(signed):
    seen = []

    def status(credential):
        seen.append(credential["id"])
        return CheckResult("status", Outcome.PASS, "Not revoked.")

    framework = named("framework", lambda c: CheckResult("framework", Outcome.CANNOT_CHECK, "Unknown framework."))
    report = verify(json.dumps(signed), extra_checks=[status, framework])
    assert [c.name for c in report.checks] == [*CORE, "status", "framework"]
    assert seen == [signed["id"]]
    assert report.verified  # cannot-check is a warning


def test_failing_extra_check_fails_the_report(signed):
    revoked = named("status", lambda c: CheckResult("status", Outcome.FAIL, "Revoked.", [
        Problem(P.STATUS_VERIFICATION_ERROR, "revoked", "Revoked", "The issuer revoked it.", "/credentialStatus")]))
    report = verify(signed, extra_checks=[revoked])
    assert not report.verified
    assert [p.code for p in report.problems] == ["revoked"]


def test_extra_check_may_return_several_results(signed):
    pair = named("pair", lambda c: [CheckResult("a", Outcome.PASS, "a"), CheckResult("b", Outcome.PASS, "b")])
    assert [c.name for c in verify(signed, extra_checks=[pair]).checks][-2:] == ["a", "b"]


def test_crashing_extra_check_is_a_failed_check_not_an_exception(signed):
    def explode(credential):
        raise ZeroDivisionError("boom")

    def unnamed(credential):
        raise KeyError("id")

    status = named("status", explode)
    later = named("later", lambda c: CheckResult("later", Outcome.PASS, "ran"))
    report = verify(signed, extra_checks=[status, unnamed, later])
    crashed = report.checks[len(CORE)]
    assert (crashed.name, crashed.outcome) == ("status", Outcome.FAIL)
    [problem] = crashed.problems
    assert problem.code == "check_crashed" and "ZeroDivisionError: boom" in problem.detail
    assert report.checks[len(CORE) + 1].name == "extra"  # an unnamed hook
    assert report.checks[-1].name == "later"  # the checks after it still ran
    assert not report.verified


def test_crashing_core_check_is_reported(signed):
    naive_now = datetime(2026, 11, 20, 15, 4, 5)  # comparing with aware dates raises TypeError
    report = verify(signed, now=naive_now)
    assert outcomes(report)["validity"] == ("fail", ["check_crashed"])
    assert outcomes(report)["proof"] == ("pass", [])


def test_garbage_in_every_field_never_raises(signed):
    for key in list(signed):
        for value in (None, 0, [], {}, [[]], "x", {"id": []}):
            mutated = dict(signed, **{key: value})
            report = verify(mutated)
            assert not report.verified, (key, value)
            json.dumps(report.as_dict())


def test_verified_semantics():
    def report(*outs):
        return VerificationReport([CheckResult(f"c{i}", o, "") for i, o in enumerate(outs)])

    assert report(Outcome.PASS, Outcome.PASS).verified
    assert report(Outcome.PASS, Outcome.CANNOT_CHECK).verified
    assert not report(Outcome.PASS, Outcome.FAIL, Outcome.CANNOT_CHECK).verified
    assert report().verified  # vacuous; verify_credential always runs `parse`


def test_as_dict_shape(signed):
    del signed["proof"]
    signed["validFrom"] = "2026-11-20T15:04:05"
    out = verify(signed, now=NOW).as_dict()
    assert set(out) == {"verified", "checks", "problemDetails"} and out["verified"] is False
    assert [c["check"] for c in out["checks"]] == CORE
    for check in out["checks"]:
        assert set(check) - {"details"} == {"check", "outcome", "summary", "problems"}
        assert check["outcome"] in ("pass", "fail", "cannot-check")
    parse = out["checks"][0]
    assert parse["details"] == {"dataModel": "2.0"}
    assert "details" not in out["checks"][1]
    flat = [p for c in out["checks"] for p in c["problems"]]
    assert out["problemDetails"] == flat
    by_code = {p["code"]: p for p in flat}
    assert {"proof_missing", "date_no_timezone", "schema_violation"} <= set(by_code)
    assert by_code["date_no_timezone"] == {
        "type": P.MALFORMED_VALUE_ERROR, "code": "date_no_timezone", "title": "Malformed date",
        "detail": by_code["date_no_timezone"]["detail"], "path": "/validFrom"}
    assert all(set(p) <= {"type", "code", "title", "detail", "path"} and p["type"].startswith("https://") for p in flat)
    assert json.loads(json.dumps(out)) == out
