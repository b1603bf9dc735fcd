"""Assessment events: the native schema and adapters (native JSON, xAPI, Caliper, CSV)
that all produce one normalized `AssessmentEvent`."""

from pipeline.events.activity_ids import ActivityRef, level_urn, parse_activity_id, statement_urn
from pipeline.events.adapters import decode_json, detect_format, parse_event, parse_event_bytes
from pipeline.events.csv_rows import CSV_COLUMNS, CsvEvent, CsvImport, parse_csv
from pipeline.events.native import EventContext, parse_rfc3339, validate_native
from pipeline.events.normalized import AssessmentEvent, LearnerRef, SourceFormat, StatementResult, normalize_email
from pipeline.events.schema import NativeEvent, native_event_json_schema

__all__ = [
    "CSV_COLUMNS", "ActivityRef", "AssessmentEvent", "CsvEvent", "CsvImport", "EventContext", "LearnerRef",
    "NativeEvent", "SourceFormat", "StatementResult", "decode_json", "detect_format", "level_urn",
    "native_event_json_schema", "normalize_email", "parse_activity_id", "parse_csv", "parse_event",
    "parse_event_bytes", "parse_rfc3339", "statement_urn", "validate_native",
]
