"""Shared machinery of the xAPI and Caliper adapters: a native draft plus a path map.

An adapter reads what it can from the foreign document into a native-shaped `Draft`,
records the problems only it can see (an unknown verb, an activity id that is not ours),
and notes which native paths map to which source paths. `finish` then runs the one
native validator and reports every error as a JSON pointer into the *source* document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline import errors as codes
from pipeline.errors import EventRejected, FieldError
from pipeline.events.activity_ids import ActivityRef, parse_activity_id, unknown_activity_message
from pipeline.events.native import EventContext, validate_native
from pipeline.events.normalized import AssessmentEvent, SourceFormat


@dataclass
class Draft:
    """A native event under construction from a foreign document."""

    source_format: SourceFormat
    doc: dict[str, Any] = field(default_factory=lambda: {"type": "assessment.completed"})
    paths: dict[str, str] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)
    omitted: set[str] = field(default_factory=set)

    def put(self, native_path: str, value: Any, source_path: str) -> None:
        """Set the native field at `native_path` (only when `value` is not None)."""
        self.paths[native_path] = source_path
        if value is None:
            return
        keys = native_path.strip("/").split("/")
        target = self.doc
        for key in keys[:-1]:
            target = target.setdefault(key, {})
        target[keys[-1]] = value

    def fail(self, code: str, message: str, source_path: str, *, omits: str | None = None) -> None:
        """Record an adapter-level error; `omits` names the native field it leaves unset."""
        self.errors.append(FieldError(code, message, source_path))
        if omits:
            self.omitted.add(omits)

    def remap(self, native_path: str) -> str:
        best = max((p for p in self.paths if native_path == p or native_path.startswith(p + "/")), key=len, default=None)
        if best is None:
            return native_path
        return self.paths[best] + native_path[len(best):]

    def _is_omitted(self, native_path: str) -> bool:
        return any(native_path == p or native_path.startswith(p + "/") for p in self.omitted)

    def finish(self, ctx: EventContext) -> AssessmentEvent:
        """Validate the draft as a native event; every error points into the source document."""
        try:
            event = validate_native(self.doc, ctx, source_format=self.source_format)
        except EventRejected as rejected:
            native = [e for e in rejected.errors if not self._is_omitted(e.path)]
            found = self.errors + [FieldError(e.code, e.message, self.remap(e.path)) for e in native]
            raise EventRejected(found or list(rejected.errors)) from rejected
        if self.errors:
            raise EventRejected(self.errors)
        return event

    def target(self, activity_id: Any, source_path: str, public_url: str) -> ActivityRef | None:
        """Map the assessed activity to framework + statement/level fields of the draft."""
        ref = parse_activity_id(activity_id, public_url) if isinstance(activity_id, str) else None
        if ref is None:
            if isinstance(activity_id, str):
                self.fail(codes.UNKNOWN_STATEMENT, unknown_activity_message(activity_id, public_url), source_path)
            else:
                self.fail(codes.SCHEMA_VIOLATION, "an activity id (IRI string) is required", source_path)
            # A placeholder framework lets the other fields still be checked; its own
            # errors, and the missing results, are already covered by the error above.
            self.doc["framework"] = {"id": "-", "version": "-"}
            self.omitted.update({"/framework", "/results", "/level", "/score", "/passed"})
            return None
        self.put("/framework/id", ref.framework_code, source_path)
        self.put("/framework/version", ref.framework_version, source_path)
        self.paths["/framework"] = source_path
        return ref

    def result(self, ref: ActivityRef, score: float | None, passed: bool | None, score_path: str, passed_path: str, result_path: str) -> None:
        """One result for the statement (or whole level) `ref` names."""
        if ref.level is not None:
            self.put("/level", ref.level, self.paths["/framework"])
            self.put("/score", score, score_path)
            self.put("/passed", passed, passed_path)
            return
        item: dict[str, Any] = {"statement": ref.statement}
        if score is not None:
            item["score"] = score
        if passed is not None:
            item["passed"] = passed
        self.doc["results"] = [item]
        self.paths.update({
            "/results": result_path, "/results/0": result_path, "/results/0/statement": self.paths["/framework"],
            "/results/0/score": score_path, "/results/0/passed": passed_path,
        })


def get(document: Any, *keys: str | int) -> Any:
    """`document[k1][k2]...`, or None when any step is missing or of the wrong type."""
    current = document
    for key in keys:
        if isinstance(key, int):
            if not isinstance(current, list) or key >= len(current):
                return None
        elif not isinstance(current, Mapping) or key not in current:
            return None
        current = current[key]
    return current


def language_map_text(value: Any) -> str | None:
    """One string from an xAPI language map (en-US, en, und, else the first), or None."""
    if isinstance(value, str):
        return value
    if not isinstance(value, Mapping) or not value:
        return None
    for tag in ("en-US", "en", "und"):
        if isinstance(value.get(tag), str):
            return value[tag]
    first = next(iter(value.values()))
    return first if isinstance(first, str) else None


def number(value: Any) -> float | None:
    """A JSON number as float (booleans are not numbers), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
