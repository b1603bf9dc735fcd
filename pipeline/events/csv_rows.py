"""CSV uploads -> `AssessmentEvent`s: one row per statement result, grouped by `event_id`.

Header (any column order, all columns required, no others):
`event_id,occurred_at,learner_email,learner_name,learner_did,framework_id,framework_version,
assessment_id,assessment_name,statement,score,passed`.
Rows with the same `event_id` are one event; they must agree on every column but
`statement`, `score` and `passed`. Empty cells mean "not given"; `passed` is
true/false/yes/no/1/0. Rows are numbered as in a spreadsheet: the header is row 1.
Errors carry `row` and the path `/rows/{row}/{column}`. An event with any bad row is
rejected as a whole; other events in the file are unaffected.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from typing import Any

from pipeline import errors as codes
from pipeline.errors import EventRejected, FieldError
from pipeline.events.native import EventContext, validate_native
from pipeline.events.normalized import AssessmentEvent
from pipeline.events.text_checks import NUL, NUL_MESSAGE

CSV_COLUMNS = (
    "event_id", "occurred_at", "learner_email", "learner_name", "learner_did", "framework_id",
    "framework_version", "assessment_id", "assessment_name", "statement", "score", "passed",
)
RESULT_COLUMNS = ("statement", "score", "passed")
EVENT_COLUMNS = tuple(c for c in CSV_COLUMNS if c not in RESULT_COLUMNS)
_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
_NATIVE_TO_COLUMN = {
    "/event_id": "event_id", "/occurred_at": "occurred_at", "/learner": "learner_email",
    "/learner/email": "learner_email", "/learner/name": "learner_name", "/learner/did": "learner_did",
    "/framework": "framework_id", "/framework/id": "framework_id", "/framework/version": "framework_version",
    "/assessment": "assessment_id", "/assessment/id": "assessment_id", "/assessment/name": "assessment_name",
}


@dataclass(frozen=True)
class CsvEvent:
    """The rows of one `event_id`: the event when valid, else its errors; `native` is the
    native document the rows amount to (for storing as the event's payload)."""

    event_id: str
    rows: tuple[int, ...]
    native: dict[str, Any]
    event: AssessmentEvent | None
    errors: tuple[FieldError, ...]


@dataclass(frozen=True)
class CsvImport:
    """Every event of a file plus the errors tied to no event (header, rows without an id)."""

    events: tuple[CsvEvent, ...]
    errors: tuple[FieldError, ...]

    def row_reports(self) -> list[dict[str, Any]]:
        """One entry per data row: row number, event id, `ok`, and the errors of its event."""
        reports = []
        for group in self.events:
            for row in group.rows:
                mine = [e.as_dict() for e in group.errors if e.row == row]
                others = [e.as_dict() for e in group.errors if e.row != row]
                reports.append({"row": row, "event_id": group.event_id, "ok": group.event is not None,
                                "errors": mine, "event_errors": others})
        for error in self.errors:
            if error.row is not None and error.row > 1:
                reports.append({"row": error.row, "event_id": None, "ok": False, "errors": [error.as_dict()], "event_errors": []})
        return sorted(reports, key=lambda r: r["row"])


def _error(code: str, message: str, row: int, column: str = "") -> FieldError:
    return FieldError(code, message, f"/rows/{row}/{column}" if column else f"/rows/{row}", row)


def _cell_value(column: str, text: str, row: int) -> tuple[Any, FieldError | None]:
    if text == "":
        return None, None
    if column == "score":
        try:
            value = float(text)
        except ValueError:
            return None, _error(codes.SCHEMA_VIOLATION, f"score {text!r} is not a number", row, column)
        if not math.isfinite(value):
            return None, _error(codes.SCHEMA_VIOLATION, f"score {text!r} is not a finite number", row, column)
        return value, None
    if column == "passed":
        if text.lower() not in _BOOLEANS:
            return None, _error(codes.SCHEMA_VIOLATION, f"passed {text!r} is not true/false", row, column)
        return _BOOLEANS[text.lower()], None
    return text, None


def _read(text: str | bytes) -> tuple[list[tuple[int, dict[str, str]]], list[FieldError]]:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            return [], [FieldError(codes.SCHEMA_VIOLATION, f"the file is not UTF-8 text: {error}", "", None)]
    text = text.removeprefix("\ufeff")
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        return [], [FieldError(codes.SCHEMA_VIOLATION, f"unreadable CSV: {error}", "", None)]
    if not records:
        return [], [_error(codes.SCHEMA_VIOLATION, "the file is empty; expected a header row", 1)]
    header = [h.strip() for h in records[0]]
    missing = [c for c in CSV_COLUMNS if c not in header]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        detail = f"missing {missing}; unknown {unknown}" if missing or unknown else "a column appears twice"
        return [], [_error(codes.SCHEMA_VIOLATION, f"bad header ({detail}); expected {','.join(CSV_COLUMNS)}", 1)]
    rows, errors = [], []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            errors.append(_error(codes.SCHEMA_VIOLATION, f"{len(record)} cells; the header has {len(header)}", number))
            continue
        with_nul = [h for h, cell in zip(header, record) if NUL in cell]
        if with_nul:  # pipeline.events.text_checks: refused on every store, this row only
            errors += [_error(codes.SCHEMA_VIOLATION, NUL_MESSAGE, number, h) for h in with_nul]
            continue
        rows.append((number, {h: cell.strip() for h, cell in zip(header, record)}))
    return rows, errors


def _native(rows: list[tuple[int, dict[str, str]]]) -> tuple[dict[str, Any], list[FieldError]]:
    first_row, first = rows[0]
    errors = []
    for number, cells in rows[1:]:
        errors += [
            _error(codes.SCHEMA_VIOLATION, f"{c} differs from row {first_row} of the same event_id", number, c)
            for c in EVENT_COLUMNS if cells[c] != first[c]
        ]
    doc: dict[str, Any] = {
        "event_id": first["event_id"], "type": "assessment.completed", "occurred_at": first["occurred_at"],
        "learner": {k: first[f"learner_{k}"] for k in ("email", "name", "did") if first[f"learner_{k}"]},
        "framework": {"id": first["framework_id"], "version": first["framework_version"]},
        "assessment": {"id": first["assessment_id"], "name": first["assessment_name"]},
        "results": [],
    }
    for number, cells in rows:
        item: dict[str, Any] = {"statement": cells["statement"]}
        for column in ("score", "passed"):
            value, error = _cell_value(column, cells[column], number)
            if error:
                errors.append(error)
            elif value is not None:
                item[column] = value
        doc["results"].append(item)
    return doc, errors


def _locate(native_path: str, rows: list[tuple[int, dict[str, str]]]) -> tuple[int, str]:
    parts = native_path.split("/")
    if len(parts) >= 3 and parts[1] == "results" and parts[2].isdigit() and int(parts[2]) < len(rows):
        column = parts[3] if len(parts) > 3 and parts[3] in RESULT_COLUMNS else "score"
        return rows[int(parts[2])][0], column
    return rows[0][0], _NATIVE_TO_COLUMN.get(native_path, "")


def _group_event(event_id: str, rows: list[tuple[int, dict[str, str]]], ctx: EventContext) -> CsvEvent:
    doc, errors = _native(rows)
    numbers = tuple(n for n, _ in rows)
    if errors:
        return CsvEvent(event_id, numbers, doc, None, tuple(errors))
    try:
        event = validate_native(doc, ctx, source_format="csv")
    except EventRejected as rejected:
        located = [(e, *_locate(e.path, rows)) for e in rejected.errors]
        return CsvEvent(event_id, numbers, doc, None, tuple(_error(e.code, e.message, r, c) for e, r, c in located))
    return CsvEvent(event_id, numbers, doc, event, ())


def parse_csv(text: str | bytes, ctx: EventContext) -> CsvImport:
    """Read, group and validate a CSV upload; never raises for bad content."""
    rows, errors = _read(text)
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for number, cells in rows:
        if not cells["event_id"]:
            errors.append(_error(codes.SCHEMA_VIOLATION, "event_id is empty", number, "event_id"))
            continue
        groups.setdefault(cells["event_id"], []).append((number, cells))
    events = tuple(_group_event(event_id, group, ctx) for event_id, group in groups.items())
    return CsvImport(events, tuple(errors))
