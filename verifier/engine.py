"""The verification engine: the core checks, plus status, framework and the JWT path.

`VerifierEngine.verify_*` never raises on a bad credential; it returns a `Verification`
(the core's `VerificationReport` plus what was submitted). A Data Integrity credential
goes through `issuer.verify.verify_credential` with the guarded key resolver and the
`status`, `framework` and `endorsements` hooks; a JWS-secured one through the same named
checks with the JOSE `proof`, `issuer` and `claims` checks in place of the Data Integrity
ones.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from issuer import problems as P
from issuer.contexts import known_urls
from issuer.frameworks import FrameworkRegistry
from issuer.problems import CheckResult, Outcome, Problem
from issuer.verify import (
    VerificationReport,
    check_contexts,
    check_related_resources,
    check_schema,
    check_validity,
    parse_credential,
    verify_credential,
)
from verifier.documents import GuardedKeyResolver
from verifier.endorsements import check_endorsements
from verifier.errors import FormatError, JwtError, RequestError
from verifier.formats import Submission, read_bytes, read_json_value, read_text
from verifier.framework_check import check_framework
from verifier.jwt import apply_claims, credential_from_payload, parse_compact_jws
from verifier.jwt_checks import check_claims, check_jws
from verifier.resolvers import Fetcher, HostAllowlist
from verifier.status_check import StatusChecker

UNKNOWN_OPTION = "https://www.w3.org/TR/vcalm#UNKNOWN_OPTION_PROVIDED"
KNOWN_OPTIONS = frozenset({"checks", "challenge", "domain", "returnCredential", "returnResults",
                           "returnProblemDetails"})


@dataclass(frozen=True)
class VerifyOptions:
    """VC API verify options (VCALM VerifyOptions); unknown names are an error (VCALM §3.3)."""

    checks: tuple[str, ...] = ()
    challenge: str | None = None
    domain: str | None = None
    return_credential: bool = False

    @classmethod
    def parse(cls, raw: Any) -> VerifyOptions:
        if raw is None:
            return cls()
        if not isinstance(raw, dict):
            raise RequestError("options must be a JSON object", code="options_invalid")
        unknown = sorted(set(raw) - KNOWN_OPTIONS)
        if unknown:
            raise RequestError(f"unknown option(s): {', '.join(unknown)}", code="unknown_option")
        checks = raw.get("checks", [])
        if not isinstance(checks, list) or not all(isinstance(c, str) for c in checks):
            raise RequestError("options.checks must be an array of strings", code="options_invalid")
        for name in ("challenge", "domain"):
            if name in raw and not isinstance(raw[name], str):
                raise RequestError(f"options.{name} must be a string", code="options_invalid")
        for name in ("returnCredential", "returnResults", "returnProblemDetails"):
            if name in raw and not isinstance(raw[name], bool):
                raise RequestError(f"options.{name} must be a boolean", code="options_invalid")
        return cls(tuple(checks), raw.get("challenge"), raw.get("domain"), bool(raw.get("returnCredential")))


@dataclass
class Verification:
    """The report on one submitted credential, and what was submitted."""

    report: VerificationReport
    submission: Submission | None = None
    checked_at: datetime | None = None
    payload: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def verified(self) -> bool:
        """True only when every check that applies passed: "could not check" is not verified."""
        return self.verdict == "verified"

    @property
    def verdict(self) -> str:
        """`verified`, `not-verified`, or `incomplete` (nothing failed, something could not be checked)."""
        if not self.report.verified:
            return "not-verified"
        if any(c.outcome is Outcome.CANNOT_CHECK for c in self.report.checks):
            return "incomplete"
        return "verified"

    @property
    def credential(self) -> dict[str, Any] | None:
        return self.report.credential

    def body(self, *, include_credential: bool = False) -> dict[str, Any]:
        """The VC API verify response body: verified, checks, problemDetails, errors, warnings.

        An incomplete verification is not verified: `errors` then holds `verification_incomplete`
        and the problems of the checks that could not be completed (also under `warnings`)."""
        out = self.report.as_dict()
        out["verified"] = self.verified
        out["verdict"] = self.verdict
        out["format"] = self.submission.format if self.submission else None
        out["errors"] = [p.as_dict() for c in self.report.checks if c.outcome is Outcome.FAIL for p in c.problems]
        out["warnings"] = [p.as_dict() for c in self.report.checks
                           if c.outcome is Outcome.CANNOT_CHECK for p in c.problems]
        if self.verdict == "incomplete":
            incomplete = incomplete_problem(self.report.checks).as_dict()
            out["errors"] += [incomplete, *out["warnings"]]
            out["problemDetails"].append(incomplete)
        if include_credential and self.report.credential is not None:
            out["credential"] = self.report.credential
        return out


INCOMPLETE_TYPE = "urn:badgeline:problem:verification_incomplete"


def incomplete_problem(checks: Sequence[CheckResult]) -> Problem:
    """The failure an API client gets when a check could not be completed ("could not check")."""
    names = [c.name for c in checks if c.outcome is Outcome.CANNOT_CHECK]
    detail = (f"Could not complete the {', '.join(names)} check{'s' if len(names) > 1 else ''}: nothing failed, "
              "but the credential cannot be called verified.")
    return Problem(INCOMPLETE_TYPE, "verification_incomplete", "Could not fully check", detail)


def parse_failure(code: str, detail: str, type_: str = P.PARSING_ERROR) -> VerificationReport:
    """A report whose only check is a failed `parse`."""
    return VerificationReport([CheckResult("parse", Outcome.FAIL, detail, [Problem(type_, code, "Unreadable input", detail)])])


def _guarded(name: str, run: Callable[[], CheckResult | list[CheckResult] | None]) -> list[CheckResult]:
    try:
        result = run()
    except Exception as exc:  # noqa: BLE001 - a report is returned whatever the input
        detail = f"The {name} check could not process this credential ({type(exc).__name__}: {exc})."
        return [CheckResult(name, Outcome.FAIL, detail,
                            [Problem(P.MALFORMED_VALUE_ERROR, "check_crashed", "Could not be checked", detail)])]
    if result is None:
        return []
    return result if isinstance(result, list) else [result]


class VerifierEngine:
    """Verifies credentials from any issuer; safe to share between threads."""

    def __init__(self, *, fetcher: Fetcher, registry: FrameworkRegistry, clock: Callable[[], datetime],
                 clock_skew: timedelta = timedelta(minutes=5), allowed_contexts: frozenset[str] | None = None,
                 did_web_http: HostAllowlist | None = None) -> None:
        self.fetcher, self.registry, self.clock, self.clock_skew = fetcher, registry, clock, clock_skew
        self.allowed_contexts = known_urls() if allowed_contexts is None else allowed_contexts
        self.resolver = GuardedKeyResolver(fetcher, did_web_http=did_web_http)
        self.status = StatusChecker(fetcher, self.resolver, clock_skew=clock_skew, verify_jwt=self.verify_jwt_core)
        self._verdicts: Counter[str] = Counter()
        self._verdicts_lock = threading.Lock()

    def verdict_counts(self) -> dict[str, int]:
        """How many top-level verifications this engine (this process) answered, by verdict."""
        with self._verdicts_lock:
            return dict(self._verdicts)

    def _counted(self, verification: Verification) -> Verification:
        with self._verdicts_lock:
            self._verdicts[verification.verdict] += 1
        return verification

    # --- entry points by input kind ------------------------------------------------------
    def verify_value(self, value: Any, *, now: datetime | None = None, nested: bool = False) -> Verification:
        """A JSON value from an API body (credential object, enveloped credential or JWS string).
        `nested`: an endorsement inside another credential (its own endorsements are not followed)."""
        return self._read_then_verify(lambda: read_json_value(value), now, nested)

    def verify_text(self, text: str, *, now: datetime | None = None) -> Verification:
        return self._read_then_verify(lambda: read_text(text), now)

    def verify_bytes(self, data: bytes, *, now: datetime | None = None) -> Verification:
        return self._read_then_verify(lambda: read_bytes(data), now)

    def _read_then_verify(self, read: Callable[[], Submission], now: datetime | None,
                          nested: bool = False) -> Verification:
        now = now or self.clock()
        try:
            submission = read()
        except FormatError as exc:
            verification = Verification(parse_failure(exc.code, f"The input could not be read: {exc.message}."),
                                        None, now)
        else:
            verification = self.verify_submission(submission, now=now, nested=nested)
        return verification if nested else self._counted(verification)

    def verify_submission(self, submission: Submission, *, now: datetime | None = None,
                          nested: bool = False) -> Verification:
        now = now or self.clock()
        if submission.jws is not None:
            return self._verify_jws(submission, now, nested)
        report = verify_credential(submission.credential, resolve_key=self.resolver, now=now,
                                   clock_skew=self.clock_skew, allowed_contexts=self.allowed_contexts,
                                   extra_checks=self.extra_checks(now, nested=nested))
        return Verification(report, submission, now)

    def extra_checks(self, now: datetime, *, nested: bool = False) -> Sequence[Callable[[dict[str, Any]], Any]]:
        """The checks beyond the core's: status, framework and (unless `nested`) endorsements."""
        def status(credential: dict[str, Any]) -> CheckResult:
            return self.status.check(credential, now)

        def framework(credential: dict[str, Any]) -> list[CheckResult]:
            result = check_framework(credential, self.registry, self.fetcher)
            return [result] if result else []

        def endorsements(credential: dict[str, Any]) -> list[CheckResult]:
            result = check_endorsements(credential, lambda value: self.verify_value(value, now=now, nested=True))
            return [result] if result else []

        status.check_name = "status"  # type: ignore[attr-defined]
        framework.check_name = "framework"  # type: ignore[attr-defined]
        endorsements.check_name = "endorsements"  # type: ignore[attr-defined]
        return (status, framework) if nested else (status, framework, endorsements)

    def verify_jwt_core(self, text: str, now: datetime) -> Verification:
        """A compact JWS credential through the core checks only (no status, framework or
        endorsements): what a JWT-secured status list needs."""
        return self._verify_jws(Submission("jwt", jws=text), now, extras=())

    def _verify_jws(self, submission: Submission, now: datetime, nested: bool = False,
                    extras: Sequence[Callable[[dict[str, Any]], Any]] | None = None) -> Verification:
        try:
            jws = parse_compact_jws(submission.jws or "")
        except JwtError as exc:
            return Verification(parse_failure(exc.code, f"The JWT could not be read: {exc.message}."), submission, now)
        raw, legacy = credential_from_payload(jws.payload)
        credential, parsed = parse_credential(apply_claims(raw, jws.payload, legacy))
        if credential is None:
            return Verification(VerificationReport([parsed]), submission, now, jws.payload)
        parsed.details["securedAs"] = "jwt"
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("contexts", lambda: check_contexts(credential, self.allowed_contexts)),
            ("schema", lambda: check_schema(credential)),
            ("resources", lambda: check_related_resources(credential)),
            ("proof", lambda: check_jws(jws, credential, self.resolver)),
            ("claims", lambda: check_claims(jws.payload, credential, legacy)),
            ("validity", lambda: check_validity(credential, now, self.clock_skew)),
        ]
        extras = self.extra_checks(now, nested=nested) if extras is None else extras
        steps += [(getattr(c, "check_name", "extra"), lambda c=c: c(credential)) for c in extras]
        checks = [parsed]
        for name, run in steps:
            checks += _guarded(name, run)
        return Verification(VerificationReport(checks, credential), submission, now, jws.payload)
