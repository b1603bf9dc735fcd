"""issuer.dates: xsd:dateTimeStamp parsing (VCDM 2.0 §4.9) and the UTC `Z` form we emit."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from issuer.dates import DateError, format_datetime_z, parse_datetime_z
from issuer.errors import IssuerError

UTC = timezone.utc


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-20T15:04:05Z", datetime(2026, 11, 20, 15, 4, 5, tzinfo=UTC)),
    ("2026-11-20T15:04:05+05:30", datetime(2026, 11, 20, 9, 34, 5, tzinfo=UTC)),
    ("2026-11-20T15:04:05-08:00", datetime(2026, 11, 20, 23, 4, 5, tzinfo=UTC)),
    ("2026-11-20T15:04:05.25Z", datetime(2026, 11, 20, 15, 4, 5, 250000, tzinfo=UTC)),
    ("2026-11-20T15:04:05.123456789Z", datetime(2026, 11, 20, 15, 4, 5, 123456, tzinfo=UTC)),
])
def test_parses_zoned_values_to_utc(text, expected):
    parsed = parse_datetime_z(text)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize("text", ["2026-11-20T15:04:05", "2026-11-20T15:04:05.5"])
def test_no_zone_is_its_own_code(text):
    with pytest.raises(DateError) as info:
        parse_datetime_z(text)
    assert info.value.code == "date_no_timezone"
    assert isinstance(info.value, IssuerError)


def test_no_zone_accepted_as_utc_only_when_asked():
    assert parse_datetime_z("2026-11-20T15:04:05", require_zone=False) == datetime(2026, 11, 20, 15, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize("value", [
    "garbage", "2026-11-20", "2026-11-20 15:04:05Z", "2026-13-20T15:04:05Z", "2026-11-20T25:04:05Z",
    "2026-11-20T15:04:05+24:00", "20261120T150405Z", "", 20261120, None, ["2026-11-20T15:04:05Z"],
    # trailing newline and non-ASCII digits: `$` and `\d` must not let these through
    "2026-11-20T15:04:05Z\n", "2026-11-20T15:04:05\n", "\u0662\u0660\u0662\u0666-11-20T15:04:05Z",
    "2026-11-20t15:04:05z",
])
def test_malformed_values_are_date_invalid(value):
    with pytest.raises(DateError) as info:
        parse_datetime_z(value)
    assert info.value.code == "date_invalid"


def test_format_is_utc_second_precision_z():
    moment = datetime(2026, 11, 20, 16, 4, 5, 999999, tzinfo=timezone(timedelta(hours=1)))
    assert format_datetime_z(moment) == "2026-11-20T15:04:05Z"
    assert parse_datetime_z(format_datetime_z(moment)) == moment.replace(microsecond=0)


def test_format_refuses_naive_datetimes():
    with pytest.raises(DateError) as info:
        format_datetime_z(datetime(2026, 11, 20, 15, 4, 5))
    assert info.value.code == "date_no_timezone"
