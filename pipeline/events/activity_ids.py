"""Which framework statement (or level) an xAPI activity or Caliper assignable names.

Foreign formats name what was assessed by an IRI. We accept exactly two forms:

    {public_url}/frameworks/{soc}/{version}/statements/{code}    our statement URL
    {public_url}/frameworks/{soc}/{version}/levels/{level}        our level URL (whole level)
    urn:badgeline:{soc}:{version}:{code}                          statement, URN form
    urn:badgeline:{soc}:{version}:level:{level}                   whole level, URN form

The URN form lets a provider name a statement without knowing our host. (`badgeline` is
not a registered URN namespace; the URN is an opaque identifier agreed with providers.)
Anything else is not ours, and the event is rejected with `unknown_statement`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

URN_PREFIX = "urn:badgeline:"
_SEGMENT = r"[^/?#]+"
_URN_PART = r"[^:]+"


@dataclass(frozen=True)
class ActivityRef:
    """A framework version and either one statement code or one level key."""

    framework_code: str
    framework_version: str
    statement: str | None = None
    level: str | None = None


def statement_urn(framework_code: str, framework_version: str, statement: str) -> str:
    return f"{URN_PREFIX}{framework_code}:{framework_version}:{statement}"


def level_urn(framework_code: str, framework_version: str, level: str) -> str:
    return f"{URN_PREFIX}{framework_code}:{framework_version}:level:{level}"


def parse_activity_id(activity_id: str, public_url: str) -> ActivityRef | None:
    """The statement or level `activity_id` names, or None when it is not one of ours."""
    base = re.escape(public_url.rstrip("/"))
    url = re.match(rf"^{base}/frameworks/({_SEGMENT})/({_SEGMENT})/(statements|levels)/({_SEGMENT})$", activity_id)
    if url:
        code, version, kind, key = (unquote(p) for p in url.groups())
        return _ref(code, version, kind == "levels", key)
    if activity_id[: len(URN_PREFIX)].lower() != URN_PREFIX:
        return None
    rest = activity_id[len(URN_PREFIX):]
    level = re.match(rf"^({_URN_PART}):({_URN_PART}):level:({_URN_PART})$", rest)
    if level:
        return _ref(level[1], level[2], True, level[3])
    statement = re.match(rf"^({_URN_PART}):({_URN_PART}):({_URN_PART})$", rest)
    if statement:
        return _ref(statement[1], statement[2], False, statement[3])
    return None


def _ref(code: str, version: str, is_level: bool, key: str) -> ActivityRef:
    if is_level:
        return ActivityRef(code, version, level=key)
    return ActivityRef(code, version, statement=key)


def unknown_activity_message(activity_id: str, public_url: str) -> str:
    return (
        f"{activity_id!r} is not a framework statement: use "
        f"{public_url.rstrip('/')}/frameworks/{{soc}}/{{version}}/statements/{{code}} "
        f"or {URN_PREFIX}{{soc}}:{{version}}:{{code}}"
    )
