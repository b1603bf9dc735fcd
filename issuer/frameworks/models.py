"""Typed models of a competency framework version.

Two layers:

* `FrameworkDocument` and its parts mirror the publisher's export format exactly
  (`schemaVersion`, `exportedAt`, `occupation`, `framework{version, levels{...}}`, ...),
  validated with pydantic (unknown extra fields are kept, never required).
* `Framework`, `Level` and `Statement` are what the rest of the system uses: ordered
  levels (emerging < developing < proficient < advanced, rank 1..4), stable statement
  codes (level initial + two-digit position: `E01`..`A10`), the exact document bytes and
  their SHA-256 digest (hex, and the SRI form VC 2.0 `digestSRI` uses, VCDM §5.3).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from issuer.errors import FrameworkError
from issuer.frameworks.attribution import Attribution, attribution_of

if TYPE_CHECKING:  # pragma: no cover
    from issuer.frameworks.policy import LevelPolicy

LevelKey = Literal["emerging", "developing", "proficient", "advanced"]
LEVEL_ORDER: tuple[LevelKey, ...] = ("emerging", "developing", "proficient", "advanced")
"""Levels from lowest to highest; rank = index + 1."""

SOC_CODE = re.compile(r"^\d{2}-\d{4}\.\d{2}$")
"""O*NET-SOC occupation code, e.g. `29-2052.00`."""
VERSION = re.compile(r"^v\.\d+(\.\d+)*$")
"""Framework version as the publisher writes it, e.g. `v.26.05`."""
STATEMENT_CODE = re.compile(r"^[EDPA]\d{2}$")


class _Doc(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, str_strip_whitespace=False)


class Occupation(_Doc):
    """The O*NET occupation the framework describes (publisher format: `occupation`)."""

    soc: str = Field(pattern=SOC_CODE.pattern, description="O*NET-SOC code, e.g. 29-2052.00.")
    title: str = Field(min_length=1, description="O*NET occupation title.")
    group: str | None = None
    sector: str | None = None
    job_zone: int | None = Field(default=None, alias="jobZone")
    job_zone_inferred: bool | None = Field(default=None, alias="jobZoneInferred")


class LevelDocument(_Doc):
    """One proficiency level: a display label and its ordered statements."""

    label: str = Field(min_length=1)
    statements: list[str] = Field(min_length=1, max_length=99)

    @field_validator("statements")
    @classmethod
    def _statements_not_blank(cls, value: list[str]) -> list[str]:
        for index, text in enumerate(value):
            if not text.strip():
                raise ValueError(f"statement {index + 1} is blank")
        return value


class LevelsDocument(_Doc):
    """The four levels; all are required (publisher format: `framework.levels`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    emerging: LevelDocument
    developing: LevelDocument
    proficient: LevelDocument
    advanced: LevelDocument


class FrameworkBody(_Doc):
    """The framework proper (publisher format: `framework`)."""

    version: str = Field(pattern=VERSION.pattern, description="e.g. v.26.05")
    description: str = ""
    context_covered: str = Field(default="", alias="contextCovered")
    levels: LevelsDocument


class FrameworkDocument(_Doc):
    """A whole export of the framework publisher (one version of one occupation)."""

    schema_version: str = Field(alias="schemaVersion")
    exported_at: datetime = Field(alias="exportedAt")
    occupation: Occupation
    framework: FrameworkBody
    sources: dict[str, Any] = Field(default_factory=dict)
    attribution: str | None = None

    @field_validator("exported_at")
    @classmethod
    def _exported_at_has_zone(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("exportedAt must include a time zone")
        return value


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of a version as the publisher numbers it: its numbers in order, compared as
    numbers (`v.26.05` -> (26, 5), so v.26.05 < v.26.11 < v.27.01 < v.100.1)."""
    return tuple(int(part) for part in re.findall(r"\d+", version))


@dataclass(frozen=True)
class Statement:
    """One competency statement, identified by its stable code (e.g. `P03`)."""

    code: str
    level: LevelKey
    position: int
    text: str


@dataclass(frozen=True)
class Level:
    """One ordered level of a framework version."""

    key: LevelKey
    label: str
    rank: int
    statements: tuple[Statement, ...]

    @property
    def initial(self) -> str:
        return self.key[0].upper()

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.statements)


def statement_code(level: str, position: int) -> str:
    """Stable statement code: level initial + two-digit 1-based position (`E01`..`A10`)."""
    return f"{level[0].upper()}{position:02d}"


@dataclass(frozen=True, eq=False)
class Framework:
    """One version of one competency framework, with its exact bytes and level policy."""

    document: FrameworkDocument
    raw_bytes: bytes = field(repr=False)
    policy: LevelPolicy
    source: str = ""

    # identity -------------------------------------------------------------------
    @property
    def code(self) -> str:
        """Occupation code, e.g. `29-2052.00`."""
        return self.document.occupation.soc

    @property
    def version(self) -> str:
        """Framework version, e.g. `v.26.05`."""
        return self.document.framework.version

    @property
    def key(self) -> tuple[str, str]:
        return (self.code, self.version)

    @property
    def version_key(self) -> tuple[int, ...]:
        return version_key(self.version)

    @property
    def title(self) -> str:
        """Occupation title, e.g. `Pharmacy Technicians`."""
        return self.document.occupation.title

    @property
    def name(self) -> str:
        """Framework display name (policy `frameworkName`, default `<title> Competency Framework`)."""
        return self.policy.framework_name or f"{self.title} Competency Framework"

    @property
    def achievement_name(self) -> str:
        """Singular holder label for credential names (policy `achievementName`, default title)."""
        return self.policy.achievement_name or self.title

    @property
    def human_code_prefix(self) -> str:
        """Prefix of human codes (policy `humanCodePrefix`, default: initials of the title)."""
        if self.policy.human_code_prefix:
            return self.policy.human_code_prefix
        return "".join(word[0] for word in self.title.split() if word[:1].isalpha()).upper()

    @property
    def label(self) -> str:
        """`<name> <version>`, e.g. for `alignment.targetFramework`."""
        return f"{self.name} {self.version}"

    @cached_property
    def attribution(self) -> Attribution:
        """The sources, licence and attribution line the document's licence requires shown."""
        return attribution_of(self)

    # content ----------------------------------------------------------------------
    @cached_property
    def levels(self) -> tuple[Level, ...]:
        """The four levels in order, lowest first."""
        out = []
        for rank, key in enumerate(LEVEL_ORDER, start=1):
            doc: LevelDocument = getattr(self.document.framework.levels, key)
            statements = tuple(
                Statement(code=statement_code(key, pos), level=key, position=pos, text=text)
                for pos, text in enumerate(doc.statements, start=1)
            )
            out.append(Level(key=key, label=doc.label, rank=rank, statements=statements))
        return tuple(out)

    @cached_property
    def _by_code(self) -> dict[str, Statement]:
        return {s.code: s for level in self.levels for s in level.statements}

    @property
    def statements(self) -> tuple[Statement, ...]:
        """Every statement, level by level, in document order."""
        return tuple(self._by_code.values())

    def level(self, key: str) -> Level:
        """The level called `key`; FrameworkError (code `level_unknown`) otherwise."""
        for level in self.levels:
            if level.key == key:
                return level
        raise FrameworkError(
            f"unknown level {key!r}; levels are {', '.join(LEVEL_ORDER)}", code="level_unknown"
        )

    def statement(self, code: str) -> Statement:
        """The statement with stable code `code`; FrameworkError (`statement_unknown`) otherwise."""
        found = self._by_code.get(code)
        if found is None:
            raise FrameworkError(
                f"unknown statement {code!r} in {self.code} {self.version}", code="statement_unknown"
            )
        return found

    # digests ----------------------------------------------------------------------
    @cached_property
    def sha256_hex(self) -> str:
        """SHA-256 of the exact document bytes, lowercase hex."""
        return hashlib.sha256(self.raw_bytes).hexdigest()

    @property
    def digest_sri(self) -> str:
        """The same digest in SRI form, `sha256-<base64>` (VCDM 2.0 §5.3 `digestSRI`)."""
        return "sha256-" + base64.b64encode(bytes.fromhex(self.sha256_hex)).decode("ascii")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Framework) and self.key == other.key and self.raw_bytes == other.raw_bytes

    def __hash__(self) -> int:
        return hash((self.key, self.sha256_hex))

    def __repr__(self) -> str:
        return f"Framework({self.code!r}, {self.version!r}, sha256={self.sha256_hex[:12]}...)"
