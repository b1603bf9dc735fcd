"""Verifiable Presentations (VCDM 2.0 §4.13; VC API POST /presentations/verify).

The holder's proof is verified with purpose `authentication` and the `challenge` and
`domain` the caller expects (DI 1.0 §4.4 steps 10-11); when the presentation names a
`holder`, one of its proofs must be the holder's. Every credential inside is verified by
the engine on its own. `verified` is true only when nothing failed anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from issuer import problems as P
from issuer.cryptosuites import verify_proofs
from issuer.problems import CheckResult, Outcome, Problem
from issuer.verify import VC1_CONTEXT, VC2_CONTEXT, VerificationReport, check_contexts
from verifier.engine import Verification, VerifierEngine, VerifyOptions, incomplete_problem


@dataclass
class PresentationVerification:
    """The presentation's own checks and one Verification per credential inside."""

    checks: list[CheckResult]
    credentials: list[Verification] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        """Every check passed, the presentation's and each credential's ("could not check" is not)."""
        return (all(c.outcome is Outcome.PASS for c in self.checks)
                and all(v.verified for v in self.credentials))

    def body(self) -> dict[str, Any]:
        """The VC API body: the presentation's checks, `errors` (failed checks) and `warnings`
        (cannot-check), then each credential's result; problems inside a credential are listed
        with a `/verifiableCredential/<i>` prefix on their paths."""
        report = VerificationReport(self.checks)
        out = report.as_dict()
        out["verified"] = self.verified
        out["errors"] = [p.as_dict() for c in self.checks if c.outcome is Outcome.FAIL for p in c.problems]
        out["warnings"] = [p.as_dict() for c in self.checks if c.outcome is Outcome.CANNOT_CHECK for p in c.problems]
        if not any(c.outcome is Outcome.FAIL for c in self.checks) and any(
                c.outcome is Outcome.CANNOT_CHECK for c in self.checks):
            incomplete = incomplete_problem(self.checks).as_dict()
            out["errors"] += [incomplete, *out["warnings"]]
            out["problemDetails"].append(incomplete)
        results = [v.body() for v in self.credentials]
        out["credentialResults"] = results
        for i, result in enumerate(results):
            for key in ("problemDetails", "errors", "warnings"):
                out[key] += [_inside(p, i) for p in result[key]]
        return out


def _inside(problem: dict[str, Any], index: int) -> dict[str, Any]:
    """A credential's problem as seen from the presentation: its path under verifiableCredential/index."""
    return {**problem, "path": f"/verifiableCredential/{index}{problem.get('path', '')}"}


def _fail(name: str, type_: str, code: str, detail: str, path: str | None = None) -> CheckResult:
    return CheckResult(name, Outcome.FAIL, detail, [Problem(type_, code, "Presentation not valid", detail, path)])


def _about_presentation(result: CheckResult) -> CheckResult:
    """A shared check's wording, said of the presentation instead of a credential."""
    def said(text: str) -> str:
        return text.replace("The credential", "The presentation").replace("the credential", "the presentation")

    problems = [Problem(p.type, p.code, p.title, said(p.detail), p.path) for p in result.problems]
    return CheckResult(result.name, result.outcome, said(result.summary), problems, result.details)


def parse_presentation(vp: Any) -> CheckResult:
    """The envelope of a VP: a JSON object, W3C credentials context first, type VerifiablePresentation."""
    if not isinstance(vp, dict):
        return _fail("parse", P.PARSING_ERROR, "not_an_object", "A presentation must be a JSON object.")
    context = vp.get("@context")
    if not isinstance(context, list) or not context or context[0] not in (VC2_CONTEXT, VC1_CONTEXT):
        return _fail("parse", P.PARSING_ERROR, "context_not_vc",
                     "The first @context entry must be the W3C credentials context.", "/@context")
    types = vp.get("type")
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or "VerifiablePresentation" not in types:
        return _fail("parse", P.PARSING_ERROR, "type_not_vp",
                     "The presentation's type must include VerifiablePresentation.", "/type")
    return CheckResult("parse", Outcome.PASS, "A Verifiable Presentation.")


def check_holder_proof(vp: dict[str, Any], engine: VerifierEngine, options: VerifyOptions, now: datetime) -> CheckResult:
    """The holder's proof(s): authentication purpose, challenge, domain, and the holder's key."""
    if vp.get("proof") is None:
        if options.challenge is not None or options.domain is not None:
            return _fail("proof", P.PROOF_VERIFICATION_ERROR, "proof_missing",
                         "A challenge or domain was expected, but the presentation carries no proof.", "/proof")
        return CheckResult("proof", Outcome.CANNOT_CHECK, "The presentation is not signed by its holder.")
    results = verify_proofs(vp, resolve_key=engine.resolver, expected_purpose="authentication",
                            challenge=options.challenge, domain=options.domain, now=now)
    problems = [p for r in results for p in r.problems]
    if problems or not all(r.verified for r in results):
        return CheckResult("proof", Outcome.FAIL, problems[0].detail if problems else "The proof is not valid.", problems)
    holder = vp.get("holder")
    holder = holder.get("id") if isinstance(holder, dict) else holder
    if holder is not None and not any(r.controller == holder for r in results):
        return _fail("proof", P.PROOF_VERIFICATION_ERROR, "holder_mismatch",
                     f"The presentation is not signed by its holder {holder}.", "/holder")
    return CheckResult("proof", Outcome.PASS, "The holder's signature is valid.",
                       details={"verificationMethods": [r.verification_method for r in results]})


def verify_presentation(vp: Any, engine: VerifierEngine, options: VerifyOptions,
                        now: datetime | None = None) -> PresentationVerification:
    """Verify the presentation and each credential in `verifiableCredential`."""
    now = now or engine.clock()
    parsed = parse_presentation(vp)
    if parsed.outcome is Outcome.FAIL:
        return PresentationVerification([parsed])
    checks = [parsed, _about_presentation(check_contexts(vp, engine.allowed_contexts)),
              _about_presentation(check_holder_proof(vp, engine, options, now))]
    inner = vp.get("verifiableCredential", [])
    inner = inner if isinstance(inner, list) else [inner]
    return PresentationVerification(checks, [engine.verify_value(value, now=now) for value in inner])
