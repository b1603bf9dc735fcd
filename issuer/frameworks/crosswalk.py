"""Crosswalks: which statements of one framework version stand for which of another.

Evidence recorded against one version never counts toward another version's levels
unless a crosswalk says so (DESIGN.md rule 8: data, not code). A crosswalk file
(`crosswalk.schema.json`) names a `from` and a `to` version and maps statement codes
with a relation: `same`, `narrower`, `broader` or `replaced`. Only `same` carries
evidence over.

1. `parse_crosswalk(raw)`: JSON, then the schema; every problem with its JSON path.
2. `check_crosswalk_fits(crosswalk, from_fw, to_fw)`: both versions are the ones named,
   every `from` code is a statement of `from_fw` and every `to` code one of `to_fw`; a
   `from` statement is mapped `same` at most once.
3. `Crosswalk.carried()`: {to code: from code} for the `same` mappings, what the level
   computation of the `to` version may count.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import jsonschema

from issuer.errors import FrameworkError

if TYPE_CHECKING:  # pragma: no cover
    from issuer.frameworks.models import Framework

SAME = "same"
RELATIONS = ("same", "narrower", "broader", "replaced")


@dataclass(frozen=True)
class Mapping:
    from_code: str
    to_code: str
    relation: str
    note: str | None = None


@dataclass(frozen=True, eq=False)
class Crosswalk:
    """A validated crosswalk with its exact bytes (published as stored)."""

    from_key: tuple[str, str]
    to_key: tuple[str, str]
    mappings: tuple[Mapping, ...]
    raw_bytes: bytes = field(repr=False)

    @property
    def key(self) -> tuple[tuple[str, str], tuple[str, str]]:
        return (self.from_key, self.to_key)

    @property
    def sha256_hex(self) -> str:
        return hashlib.sha256(self.raw_bytes).hexdigest()

    def carried(self) -> dict[str, str]:
        """{statement code in `to`: statement code in `from`} for the `same` mappings."""
        return {m.to_code: m.from_code for m in self.mappings if m.relation == SAME}


@lru_cache(maxsize=1)
def crosswalk_schema() -> dict[str, Any]:
    """The bundled JSON schema of crosswalk files."""
    return json.loads(resources.files("issuer.frameworks").joinpath("crosswalk.schema.json").read_bytes())


def parse_crosswalk(raw: bytes, *, source: str = "crosswalk") -> Crosswalk:
    """Parse and schema-check crosswalk bytes (FrameworkError `crosswalk_invalid`, all problems)."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FrameworkError(f"{source}: not valid JSON: {exc}", code="crosswalk_invalid") from exc
    validator = jsonschema.Draft202012Validator(crosswalk_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        problems = [(tuple(e.absolute_path), e.message) for e in errors]
        raise FrameworkError.collected(source, problems, code="crosswalk_invalid")
    mappings = tuple(Mapping(m["from"], m["to"], m["relation"], m.get("note")) for m in data["mappings"])
    return Crosswalk(from_key=(data["from"]["occupation"], data["from"]["version"]),
                     to_key=(data["to"]["occupation"], data["to"]["version"]), mappings=mappings,
                     raw_bytes=bytes(raw))


def check_crosswalk_fits(crosswalk: Crosswalk, from_fw: Framework, to_fw: Framework, *,
                         source: str = "crosswalk") -> None:
    """Every mapped statement exists on its side; FrameworkError `crosswalk_invalid` lists them all."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    if crosswalk.from_key == crosswalk.to_key:
        problems.append((("to",), "a crosswalk maps one version to another, not to itself"))
    from_codes = {s.code for s in from_fw.statements}
    to_codes = {s.code for s in to_fw.statements}
    same_from: set[str] = set()
    for index, mapping in enumerate(crosswalk.mappings):
        if mapping.from_code not in from_codes:
            problems.append((("mappings", index, "from"),
                             f"unknown statement {mapping.from_code!r} in {from_fw.code} {from_fw.version}"))
        if mapping.to_code not in to_codes:
            problems.append((("mappings", index, "to"),
                             f"unknown statement {mapping.to_code!r} in {to_fw.code} {to_fw.version}"))
        if mapping.relation == SAME:
            if mapping.from_code in same_from:
                problems.append((("mappings", index, "from"), f"{mapping.from_code} is mapped `same` twice"))
            same_from.add(mapping.from_code)
    if problems:
        raise FrameworkError.collected(source, problems, code="crosswalk_invalid")
