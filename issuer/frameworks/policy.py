"""Level policy: data, not code (DESIGN.md rule 8).

A policy file sits next to each framework version (`<name>.policy.json`) and is checked
against the bundled `policy.schema.json`. Missing file -> defaults: pass mark 0.8, and a
level is reached when every one of its statements has passing evidence. No level
requires another.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import jsonschema
from pydantic import BaseModel, ConfigDict, Field

from issuer.errors import FrameworkError

if TYPE_CHECKING:  # pragma: no cover
    from issuer.frameworks.models import Framework

DEFAULT_PASS_MARK = 0.8


DEFAULT_RENEW_WITHIN_DAYS = 30


class LevelRule(BaseModel):
    """Rule for one level; `min_statements=None` means all of the level's statements.

    `valid_for_days`: credentials of the level carry `validUntil` = issuance + this many days
    (None: they do not expire). `renew_within_days`: passing the level again from this many
    days before `validUntil` on earns a renewed credential (`pipeline.renewals`)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    min_statements: int | None = Field(default=None, alias="minStatements", ge=1)
    valid_for_days: int | None = Field(default=None, alias="validForDays", ge=1)
    renew_within_days: int = Field(default=DEFAULT_RENEW_WITHIN_DAYS, alias="renewWithinDays", ge=0)
    required_statements: tuple[str, ...] = Field(default=(), alias="requiredStatements")


class LevelPolicy(BaseModel):
    """The policy of one framework version (see policy.schema.json for the file format)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    pass_mark: float = Field(default=DEFAULT_PASS_MARK, alias="passMark", ge=0, le=1)
    human_code_prefix: str | None = Field(default=None, alias="humanCodePrefix")
    framework_name: str | None = Field(default=None, alias="frameworkName")
    achievement_name: str | None = Field(default=None, alias="achievementName")
    levels: dict[str, LevelRule] = Field(default_factory=dict)

    def rule(self, level: str) -> LevelRule:
        return self.levels.get(level, LevelRule())

    def required_count(self, framework: Framework, level: str) -> int:
        """How many of `level`'s statements need passing evidence."""
        rule = self.rule(level)
        total = len(framework.level(level).statements)
        return total if rule.min_statements is None else rule.min_statements


@lru_cache(maxsize=1)
def policy_schema() -> dict[str, Any]:
    """The bundled JSON schema of policy files."""
    raw = resources.files("issuer.frameworks").joinpath("policy.schema.json").read_bytes()
    return json.loads(raw)


def parse_policy(raw: bytes | None, *, source: str = "policy") -> LevelPolicy:
    """Parse and schema-check a policy file's bytes; `None` gives the defaults."""
    if raw is None:
        return LevelPolicy()
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FrameworkError(f"{source}: not valid JSON: {exc}", code="policy_invalid") from exc
    validator = jsonschema.Draft202012Validator(policy_schema())
    best = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if best is not None:  # every problem, the most relevant first
        others = [e for e in validator.iter_errors(data) if list(e.absolute_path) != list(best.absolute_path)
                  or e.message != best.message]
        problems = [(tuple(e.absolute_path), e.message) for e in [best, *others]]
        raise FrameworkError.collected(source, problems, code="policy_invalid")
    return LevelPolicy.model_validate(data)


def check_policy_fits(framework: Framework) -> None:
    """A `minStatements` larger than the level's statement count, a `requiredStatements` code
    that is not one of the level's statements, or a renewal window (`renewWithinDays`) as long
    as the validity (`validForDays`: a credential would be due for renewal the moment it is
    issued) is an error (all of them reported)."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for key, rule in framework.policy.levels.items():
        level = framework.level(key)
        total = len(level.statements)
        if rule.valid_for_days is not None and rule.renew_within_days >= rule.valid_for_days:
            problems.append((("levels", key, "renewWithinDays"),
                             f"({rule.renew_within_days}) must be less than validForDays ({rule.valid_for_days})"))
        if rule.min_statements is not None and rule.min_statements > total:
            problems.append((("levels", key, "minStatements"),
                             f"is {rule.min_statements} but the level has {total} statements"))
        for index, code in enumerate(rule.required_statements):
            if code not in level.codes:
                problems.append((("levels", key, "requiredStatements", index),
                                 f"unknown statement {code!r}: the {key} statements are "
                                 f"{level.codes[0]}..{level.codes[-1]}"))
    if problems:
        raise FrameworkError.collected(f"policy for {framework.code} {framework.version}", problems,
                                       code="policy_invalid")


def levels_reached(framework: Framework, policy: LevelPolicy, passed_statement_codes: Iterable[str]) -> list[str]:
    """Level keys (lowest first) whose rule is met by the passed statement codes.

    Every code must belong to `framework` (FrameworkError `statement_unknown` otherwise).
    Levels are independent: reaching Proficient does not require Emerging.
    """
    passed = set(passed_statement_codes)
    for code in sorted(passed):
        framework.statement(code)
    reached = []
    for level in framework.levels:
        have = sum(1 for code in level.codes if code in passed)
        required = policy.rule(level.key).required_statements
        if have >= policy.required_count(framework, level.key) and passed.issuperset(required):
            reached.append(level.key)
    return reached
