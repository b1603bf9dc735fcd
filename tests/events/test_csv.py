"""CSV uploads: rows grouped by event_id, per-row errors with spreadsheet row numbers."""

from __future__ import annotations

from pipeline.events import CSV_COLUMNS, parse_csv

HEADER = ",".join(CSV_COLUMNS)
ANA = "lms-1,2026-11-20T15:04:05Z,ana@example.org,Ana Diaz,,29-2052.00,v.26.05,quiz-17,Dispensing"
BEN = "lms-2,2026-11-20T15:05:00Z,Ben@Example.org,Ben,,29-2052.00,v.26.05,quiz-18,Storage"


def _csv(*rows: str) -> str:
    return "\n".join((HEADER, *rows)) + "\n"


def test_rows_group_into_events(ctx):
    result = parse_csv(_csv(f"{ANA},P01,0.9,", f"{BEN},E01,,true", f"{ANA},P02,0.5,"), ctx)
    assert result.errors == ()
    ana, ben = result.events
    assert (ana.event_id, ana.rows, ben.rows) == ("lms-1", (2, 4), (3,))
    assert [(r.statement, r.passed) for r in ana.event.results] == [("P01", True), ("P02", False)]
    assert ben.event.learner.email == "ben@example.org" and ben.event.source_format == "csv"
    assert ana.native["results"] == [{"statement": "P01", "score": 0.9}, {"statement": "P02", "score": 0.5}]
    assert [r["ok"] for r in result.row_reports()] == [True, True, True]


def test_bad_rows_reject_their_event_only(ctx):
    text = _csv(f"{ANA},P01,0.9,", f"{ANA},P77,0.9,", f"{BEN},E01,1.5,", f"{BEN},E02,abc,", "lms-3,,,,,,,,,P01,1,")
    result = parse_csv(text, ctx)
    by_id = {e.event_id: e for e in result.events}
    assert by_id["lms-1"].event is None
    assert [(e.code, e.row, e.path) for e in by_id["lms-1"].errors] == [("unknown_statement", 3, "/rows/3/statement")]
    assert [(e.code, e.row, e.path) for e in by_id["lms-2"].errors] == [("schema_violation", 5, "/rows/5/score")]
    assert [(e.code, e.path) for e in by_id["lms-3"].errors][:2] == [
        ("schema_violation", "/rows/6/framework_id"), ("schema_violation", "/rows/6/framework_version")]
    reports = {r["row"]: r for r in result.row_reports()}
    assert reports[2]["ok"] is False and reports[2]["errors"] == [] and reports[2]["event_errors"]
    assert reports[3]["errors"][0]["code"] == "unknown_statement"


def test_score_range_and_native_checks_map_to_cells(ctx):
    result = parse_csv(_csv(f"{BEN},E01,1.5,", "lms-9,2026-11-20T15:04:05,a@b.org,,,29-2052.00,v.26.05,q,Q,E01,1,"), ctx)
    found = [(e.code, e.path) for ev in result.events for e in ev.errors]
    assert found == [("score_out_of_range", "/rows/2/score"), ("invalid_date", "/rows/3/occurred_at")]


def test_rows_of_one_event_must_agree(ctx):
    other_name = ANA.replace("Ana Diaz", "Ana D.")
    (event,) = parse_csv(_csv(f"{ANA},P01,0.9,", f"{other_name},P02,0.9,"), ctx).events
    assert [(e.code, e.path) for e in event.errors] == [("schema_violation", "/rows/3/learner_name")]


def test_header_problems(ctx):
    result = parse_csv("event_id,score\nx,1\n", ctx)
    assert result.events == () and result.errors[0].row == 1 and "missing" in result.errors[0].message
    assert parse_csv("", ctx).errors[0].code == "schema_violation"


def test_bom_blank_lines_reordered_columns_and_short_rows(ctx):
    columns = list(reversed(CSV_COLUMNS))
    row = dict(zip(CSV_COLUMNS, (ANA + ",P01,0.95,").split(",")))
    text = "\ufeff" + ",".join(columns) + "\n\n" + ",".join(row[c] for c in columns) + "\nlms-2,short\n"
    result = parse_csv(text.encode("utf-8"), ctx)
    (event,) = result.events
    assert event.rows == (3,) and event.event.results[0].passed is True
    assert [(e.row, e.code) for e in result.errors] == [(4, "schema_violation")]
    assert parse_csv(b"\xff\xfe", ctx).errors[0].code == "schema_violation"
