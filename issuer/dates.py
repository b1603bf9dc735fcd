"""Date-times as the credential formats want them: xsd:dateTimeStamp with a zone, emitted in UTC `Z`.

VCDM 2.0 §4.9 (validFrom/validUntil are dateTimeStamp), OB DateTimeZ; DI 1.0 `created`.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from issuer.errors import IssuerError

# xsd:dateTime lexical form with a mandatory zone (dateTimeStamp); fractional seconds optional.
_DATETIME_Z = re.compile(
    r"^(?P<y>-?\d{4,})-(?P<mo>\d{2})-(?P<d>\d{2})T(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})(?P<f>\.\d+)?"
    r"(?P<z>Z|[+-]\d{2}:\d{2})",
    re.ASCII,
)
_DATETIME_NO_ZONE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?", re.ASCII)


class DateError(IssuerError):
    code = "date_invalid"


def parse_datetime_z(value: object, *, require_zone: bool = True) -> datetime:
    """Parse an xsd:dateTimeStamp (zone required) into an aware UTC datetime.

    Codes: `date_invalid` (not a string or malformed), `date_no_timezone` (no zone offset).
    """
    if not isinstance(value, str):
        raise DateError("expected a date-time string", code="date_invalid")
    match = _DATETIME_Z.fullmatch(value)
    if match is None:
        if not require_zone and _DATETIME_NO_ZONE.fullmatch(value):
            return parse_datetime_z(value + "Z")
        if _DATETIME_NO_ZONE.fullmatch(value):
            raise DateError(f"{value!r} has no time zone (use Z or an offset)", code="date_no_timezone")
        raise DateError(f"{value!r} is not an ISO 8601 / xsd:dateTime value", code="date_invalid")
    text = value.replace("Z", "+00:00")
    fraction = match.group("f")
    if fraction and len(fraction) > 7:  # Python keeps microseconds; extra digits carry no meaning here
        text = text.replace(fraction, fraction[:7])
    try:
        return datetime.fromisoformat(text).astimezone(timezone.utc)
    except ValueError as exc:
        raise DateError(f"{value!r} is not a valid date-time: {exc}", code="date_invalid") from exc


def format_datetime_z(moment: datetime) -> str:
    """UTC, second precision, `Z` suffix: the form every credential we issue uses."""
    if moment.tzinfo is None:
        raise DateError("naive datetime: pass an aware UTC datetime", code="date_no_timezone")
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
