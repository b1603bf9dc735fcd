"""Decoding and format detection, and the activity-id mapping."""

from __future__ import annotations

import pytest

from pipeline.errors import EventRejected
from pipeline.events import decode_json, detect_format, level_urn, parse_activity_id, parse_event, parse_event_bytes, statement_urn

from .conftest import PUBLIC, load


@pytest.mark.parametrize("body", [b"{", b'{"a": 1, "a": 2}', b'{"score": NaN}', b"\xff", b""])
def test_malformed_json(body):
    with pytest.raises(EventRejected) as caught:
        decode_json(body)
    assert caught.value.code == "malformed_json"


def test_formats_are_detected(native):
    assert detect_format(native) == "native"
    assert detect_format(load("xapi-cmi5-passed-statement.json")) == "xapi"
    assert detect_format(load("caliper-v1p2-grade-event-graded.json")) == "caliper"


@pytest.mark.parametrize("doc", [[], "text", {"hello": "world"}, 3])
def test_unsupported_formats(doc, ctx):
    with pytest.raises(EventRejected) as caught:
        parse_event(doc, ctx)
    assert caught.value.code == "unsupported_format"


def test_named_format_is_used(native, ctx):
    with pytest.raises(EventRejected) as caught:
        parse_event(native, ctx, source_format="xapi")
    assert caught.value.code == "schema_violation"  # the native event read as xAPI has no verb
    with pytest.raises(EventRejected) as caught:
        parse_event(native, ctx, source_format="csv")
    assert caught.value.code == "unsupported_format"


def test_bytes_in_event_out(ctx):
    body = (load.__globals__["DATA"] / "xapi-passed-statement.adapted.json").read_bytes()
    assert parse_event_bytes(body, ctx).results[0].statement == "P03"


def test_activity_ids():
    assert parse_activity_id(f"{PUBLIC}/frameworks/29-2052.00/v.26.05/statements/P03", PUBLIC).statement == "P03"
    assert parse_activity_id(f"{PUBLIC}/frameworks/29-2052.00/v.26.05/levels/advanced", PUBLIC).level == "advanced"
    assert parse_activity_id(statement_urn("29-2052.00", "v.26.05", "E01"), PUBLIC).statement == "E01"
    ref = parse_activity_id(level_urn("29-2052.00", "v.26.05", "emerging"), PUBLIC)
    assert (ref.framework_code, ref.framework_version, ref.level) == ("29-2052.00", "v.26.05", "emerging")
    assert parse_activity_id("URN:BADGELINE:29-2052.00:v.26.05:E01", PUBLIC).statement == "E01"
    for foreign in ("https://other.example/frameworks/29-2052.00/v.26.05/statements/P03",
                    f"{PUBLIC}/frameworks/29-2052.00/v.26.05/statements/P03/extra", "urn:other:x:y:z", "urn:badgeline:x"):
        assert parse_activity_id(foreign, PUBLIC) is None
