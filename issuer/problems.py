"""ProblemDetails (VCDM 2.0 §7.1) types and the check-result shapes reports are built from.

Each problem has a `type` URI from VCDM 2.0, VC Data Integrity 1.0 or Bitstring Status
List 1.0, a short stable `code` (our own, for machines and logs), a `title` and a `detail`
sentence a person can read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

VCDM = "https://www.w3.org/TR/vc-data-model#"
SEC = "https://w3id.org/security#"
BSL = "https://www.w3.org/ns/credentials/status-list#"

PARSING_ERROR = VCDM + "PARSING_ERROR"
CRYPTOGRAPHIC_SECURITY_ERROR = VCDM + "CRYPTOGRAPHIC_SECURITY_ERROR"
MALFORMED_VALUE_ERROR = VCDM + "MALFORMED_VALUE_ERROR"
RANGE_ERROR = VCDM + "RANGE_ERROR"
PROOF_VERIFICATION_ERROR = SEC + "PROOF_VERIFICATION_ERROR"
PROOF_GENERATION_ERROR = SEC + "PROOF_GENERATION_ERROR"
PROOF_TRANSFORMATION_ERROR = SEC + "PROOF_TRANSFORMATION_ERROR"
INVALID_DOMAIN_ERROR = SEC + "INVALID_DOMAIN_ERROR"
INVALID_CHALLENGE_ERROR = SEC + "INVALID_CHALLENGE_ERROR"
STATUS_RETRIEVAL_ERROR = BSL + "STATUS_RETRIEVAL_ERROR"
STATUS_VERIFICATION_ERROR = BSL + "STATUS_VERIFICATION_ERROR"
STATUS_LIST_LENGTH_ERROR = BSL + "STATUS_LIST_LENGTH_ERROR"


@dataclass(frozen=True)
class Problem:
    """One VC ProblemDetails entry."""

    type: str
    code: str
    title: str
    detail: str
    path: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {"type": self.type, "code": self.code, "title": self.title, "detail": self.detail}
        if self.path:
            out["path"] = self.path
        return out


class Outcome(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    CANNOT_CHECK = "cannot-check"


@dataclass
class CheckResult:
    """The result of one named check (`schema`, `proof`, `issuer`, `validity`, ...)."""

    name: str
    outcome: Outcome
    summary: str
    problems: list[Problem] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.name,
            "outcome": self.outcome.value,
            "summary": self.summary,
            "problems": [p.as_dict() for p in self.problems],
            **({"details": self.details} if self.details else {}),
        }
