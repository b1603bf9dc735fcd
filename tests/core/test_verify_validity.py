"""issuer.verify: the `validity` check (VCDM 2.0 §4.9 validFrom/validUntil; VCDM 1.1 issuanceDate/expirationDate)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from issuer import problems as P
from issuer.verify import check_validity

from .conftest import NOW, VALID_UNTIL, outcomes, sign, verify
from .test_verify_schema import legacy_badge

SKEW = timedelta(minutes=5)


def test_currently_valid(signed):
    result = verify(signed).check("validity")
    assert result.outcome.value == "pass" and "2027-11-20" in result.summary


@pytest.mark.parametrize(("field", "value", "code"), [
    ("validFrom", "2026-11-20T15:04:05", "date_no_timezone"),
    ("validFrom", "20 November 2026", "date_invalid"),
    ("validFrom", 1700000000, "date_invalid"),
    ("validUntil", "2027-11-20T15:04:05", "date_no_timezone"),
    ("validUntil", "2027-02-30T00:00:00Z", "date_invalid"),
])
def test_malformed_dates(signed, field, value, code):
    signed[field] = value
    report = verify(signed)
    validity = report.check("validity")
    assert validity.outcome.value == "fail"
    [problem] = validity.problems
    assert (problem.code, problem.path, problem.type) == (code, f"/{field}", P.MALFORMED_VALUE_ERROR)
    assert not report.verified


def test_inverted_period(signed):
    signed["validUntil"] = "2026-01-01T00:00:00Z"
    report = verify(sign(signed))
    assert outcomes(report)["validity"] == ("fail", ["validity_inverted"])
    assert report.check("validity").problems[0].path == "/validUntil"


def test_not_yet_valid_and_expired_are_range_errors(signed):
    early = verify(signed, now=NOW - timedelta(days=1)).check("validity")
    late = verify(signed, now=VALID_UNTIL + timedelta(days=1)).check("validity")
    assert [(p.code, p.path, p.type) for p in early.problems] == [("not_yet_valid", "/validFrom", P.RANGE_ERROR)]
    assert [(p.code, p.path, p.type) for p in late.problems] == [("expired", "/validUntil", P.RANGE_ERROR)]


@pytest.mark.parametrize(("now", "outcome"), [
    (NOW - SKEW + timedelta(seconds=1), "pass"),   # a verifier clock a little behind the issuer's
    (NOW - SKEW, "pass"),
    (NOW - SKEW - timedelta(seconds=1), "fail"),
    (VALID_UNTIL + SKEW - timedelta(seconds=1), "pass"),  # a little ahead of the expiry
    (VALID_UNTIL + SKEW, "pass"),
    (VALID_UNTIL + SKEW + timedelta(seconds=1), "fail"),
])
def test_clock_skew_both_sides(signed, now, outcome):
    assert verify(signed, now=now).check("validity").outcome.value == outcome


def test_skew_is_the_callers(signed):
    strict = verify(signed, now=NOW - timedelta(seconds=1), clock_skew=timedelta(0))
    lenient = verify(signed, now=NOW - timedelta(hours=1), clock_skew=timedelta(hours=2))
    assert (strict.check("validity").outcome.value, lenient.check("validity").outcome.value) == ("fail", "pass")


def test_no_dates_at_all_is_valid_without_expiry():
    result = check_validity({"@context": ["https://www.w3.org/ns/credentials/v2"]}, NOW, SKEW)
    assert result.outcome.value == "pass" and "no expiry" in result.summary


def test_offsets_are_compared_as_instants():
    credential = {"@context": ["https://www.w3.org/ns/credentials/v2"], "validFrom": "2026-11-20T20:34:05+05:30"}
    assert check_validity(credential, NOW, timedelta(0)).outcome.value == "pass"  # 15:04:05Z exactly
    assert check_validity(credential, NOW - timedelta(seconds=1), timedelta(0)).outcome.value == "fail"


class TestLegacyVC11:
    """VC 1.1 credentials carry issuanceDate / expirationDate; validFrom / validUntil mean nothing there."""

    def test_expiration_date(self):
        badge = legacy_badge(expirationDate="2026-06-01T00:00:00Z")
        report = verify(badge)
        validity = report.check("validity")
        assert [(p.code, p.path) for p in validity.problems] == [("expired", "/expirationDate")]
        assert verify(badge, now=datetime(2026, 3, 1, tzinfo=timezone.utc)).verified

    def test_issuance_date_in_the_future(self):
        report = verify(legacy_badge(issuanceDate="2027-01-01T00:00:00Z"))
        assert [(p.code, p.path) for p in report.check("validity").problems] == [("not_yet_valid", "/issuanceDate")]

    def test_malformed_issuance_date(self):
        report = verify(legacy_badge(issuanceDate="2026-01-01"))
        assert [(p.code, p.path) for p in report.check("validity").problems] == [("date_invalid", "/issuanceDate")]

    def test_vc2_fields_are_ignored_in_a_vc11_credential(self):
        report = verify(legacy_badge(validUntil="2000-01-01T00:00:00Z"))  # not a VC 1.1 term: a mere extra field
        assert report.check("validity").outcome.value == "pass"

    def test_vc11_fields_are_ignored_in_a_vc2_credential(self, signed):
        signed["expirationDate"] = "2000-01-01T00:00:00Z"
        assert check_validity(signed, NOW, SKEW).outcome.value == "pass"
