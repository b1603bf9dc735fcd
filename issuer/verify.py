"""Core verification of a credential: named checks that return a report, never raise.

The core checks are the ones that need no network: `parse`, `contexts`, `schema`,
`proof`, `issuer` (key binding) and `validity`. The verifier service adds `status` and
`framework` through the optional `extra_checks` hooks, which receive the parsed credential.

The core report's `verified` is true when no check failed (what a self-check or a status
list's own verification needs). The verdict people and API clients get is the verifier
engine's (`verifier.engine.Verification`): verified only when every check that applies
passed, "could not check" included (docs/conformance.md, "One verdict").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from issuer import problems as P
from issuer.contexts import known_urls
from issuer.cryptosuites import verify_proofs
from issuer.dates import DateError, parse_datetime_z
from issuer.dids import KeyResolver
from issuer.errors import ContextError, JsonLdError
from issuer.jsonld import check_context
from issuer.jsondoc import MAX_DEPTH, JsonDocumentError, check_depth, parse_json
from issuer.problems import CheckResult, Outcome, Problem
from issuer.related_resources import related_resource_problems
from issuer.schema import validate_ob_credential

VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
OB_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential", "EndorsementCredential"})
SCHEMA_TITLES = {"subject_unidentified": "No recipient"}

ExtraCheck = Callable[[dict[str, Any]], CheckResult]


@dataclass
class VerificationReport:
    """What a verification found: one CheckResult per named check."""

    checks: list[CheckResult]
    credential: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return not any(c.outcome is Outcome.FAIL for c in self.checks)

    @property
    def problems(self) -> list[Problem]:
        return [p for c in self.checks for p in c.problems]

    def check(self, name: str) -> CheckResult | None:
        return next((c for c in self.checks if c.name == name), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "checks": [c.as_dict() for c in self.checks],
            "problemDetails": [p.as_dict() for p in self.problems],
        }


def _fail(name: str, type_: str, code: str, title: str, detail: str, path: str | None = None) -> CheckResult:
    return CheckResult(name, Outcome.FAIL, detail, [Problem(type_, code, title, detail, path)])


def parse_credential(raw: dict[str, Any] | str | bytes) -> tuple[dict[str, Any] | None, CheckResult]:
    """Parse JSON and check the VC envelope shape (VCDM 2.0 §4; VCDM 1.1 for legacy)."""
    try:
        raw = parse_json(raw) if isinstance(raw, (str, bytes)) else raw
        check_depth(raw)
    except JsonDocumentError as exc:
        if exc.code == "json_too_deep":
            return None, _fail("parse", P.PARSING_ERROR, exc.code, "Nested too deeply",
                               f"The credential's JSON nests deeper than {MAX_DEPTH} levels.")
        return None, _fail("parse", P.PARSING_ERROR, exc.code, "Malformed JSON",
                           f"The credential is not valid JSON: {exc.message}.")
    if not isinstance(raw, dict):
        return None, _fail("parse", P.PARSING_ERROR, "not_an_object", "Not a credential",
                           "A credential must be a JSON object.")
    ctx = raw.get("@context")
    if not isinstance(ctx, list) or not ctx:
        return None, _fail("parse", P.PARSING_ERROR, "context_missing", "Missing @context",
                           "The credential has no @context array.", "/@context")
    if ctx[0] not in (VC2_CONTEXT, VC1_CONTEXT):
        return None, _fail("parse", P.PARSING_ERROR, "context_not_vc", "Not a Verifiable Credential",
                           "The first @context entry must be the W3C credentials context.", "/@context/0")
    types = raw.get("type")
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        return None, _fail("parse", P.PARSING_ERROR, "type_not_vc", "Not a Verifiable Credential",
                           "The credential's type must include VerifiableCredential.", "/type")
    if not isinstance(raw.get("credentialSubject"), (dict, list)):
        return None, _fail("parse", P.PARSING_ERROR, "subject_missing", "Missing credentialSubject",
                           "The credential has no credentialSubject.", "/credentialSubject")
    version = "2.0" if ctx[0] == VC2_CONTEXT else "1.1"
    return raw, CheckResult("parse", Outcome.PASS, f"A Verifiable Credential (data model {version}).",
                            details={"dataModel": version})


def is_open_badge(credential: dict[str, Any]) -> bool:
    types = credential.get("type")
    types = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    return any(isinstance(t, str) and t in OB_TYPES for t in types)


def check_contexts(credential: dict[str, Any], allowed: frozenset[str]) -> CheckResult:
    """Every @context URL is bundled and allow-listed (DI 1.0 §4.6; VCDM §B.1); inline context
    objects (VCDM 2.0 §4.3) are processed as JSON-LD 1.1 contexts, never fetching anything."""
    contexts = credential["@context"]
    for i, entry in enumerate(contexts):
        if isinstance(entry, str) and entry not in allowed:
            return _fail("contexts", P.PARSING_ERROR, "context_unknown", "Unknown context",
                         f"The context {entry} is not one this verifier knows and trusts.",
                         f"/@context/{i}")
        if not isinstance(entry, (str, dict)):
            return _fail("contexts", P.PARSING_ERROR, "context_invalid", "Invalid context",
                         "Each @context entry must be a URL or a context object.", f"/@context/{i}")
    inline = [i for i, entry in enumerate(contexts) if isinstance(entry, dict)]
    if not inline:
        return CheckResult("contexts", Outcome.PASS, "Every @context is a known, pinned context.")
    for i in inline:
        try:
            check_context(contexts[:i + 1])
        except (JsonLdError, ContextError) as exc:
            return _fail("contexts", P.PARSING_ERROR, exc.code, "Invalid context",
                         f"The inline context cannot be used: {exc.message}", f"/@context/{i}")
    return CheckResult("contexts", Outcome.PASS,
                       "Every @context URL is a known, pinned context; inline contexts are valid.")


def check_schema(credential: dict[str, Any]) -> CheckResult:
    """OB 3.0 JSON schema plus the rules it cannot express (OB#verification step 1)."""
    if not is_open_badge(credential):
        return CheckResult("schema", Outcome.PASS, "Not an Open Badge: the OB 3.0 schema does not apply.")
    if credential["@context"][0] != VC2_CONTEXT:
        return CheckResult("schema", Outcome.CANNOT_CHECK,
                           "A legacy (VC 1.1) Open Badge: the OB 3.0 schema describes VC 2.0 only.")
    violations = validate_ob_credential(credential)
    problems = [Problem(P.MALFORMED_VALUE_ERROR, v.code, SCHEMA_TITLES.get(v.code, "Schema violation"),
                        v.message, v.path) for v in violations]
    if problems:
        return CheckResult("schema", Outcome.FAIL,
                           f"The credential does not follow the Open Badges 3.0 format ({len(problems)} problem(s)).",
                           problems)
    return CheckResult("schema", Outcome.PASS, "Follows the Open Badges 3.0 format.")


def check_related_resources(credential: dict[str, Any]) -> list[CheckResult]:
    """`resources`: relatedResource objects well-formed, and every digest of a resource held here
    (a bundled context) correct, never fetching (VCDM 2.0 §5.3). No check when there is none."""
    if "relatedResource" not in credential:
        return []
    problems = [Problem(P.MALFORMED_VALUE_ERROR, v.code, "Related resource", v.message, v.path)
                for v in related_resource_problems(credential)]
    if problems:
        return [CheckResult("resources", Outcome.FAIL,
                            f"A related resource is malformed or does not match its digest ({problems[0].detail}).",
                            problems)]
    return [CheckResult("resources", Outcome.PASS,
                        "Related resources are well-formed; the digests of those held here match.")]


def issuer_id(credential: dict[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, dict) and isinstance(issuer.get("id"), str):
        return issuer["id"]
    return None


def check_proof_and_issuer(credential: dict[str, Any], resolve_key: KeyResolver) -> list[CheckResult]:
    """`proof`: every proof verifies with its own key; `issuer`: one of them is the issuer's (DI §2.6)."""
    results = verify_proofs(credential, resolve_key=resolve_key)
    problems = [p for r in results for p in r.problems]
    if not results or problems or not all(r.verified for r in results):
        if not problems:
            problems = [Problem(P.PROOF_VERIFICATION_ERROR, "proof_missing", "No proof",
                                "The credential carries no digital signature.", "/proof")]
        proof = CheckResult("proof", Outcome.FAIL, problems[0].detail, problems)
        issuer = CheckResult("issuer", Outcome.CANNOT_CHECK,
                             "The signer cannot be tied to the issuer without a valid signature.")
        return [proof, issuer]
    methods = [r.verification_method for r in results]
    proof = CheckResult("proof", Outcome.PASS,
                        f"The digital signature{'s are' if len(results) > 1 else ' is'} valid.",
                        details={"verificationMethods": methods,
                                 "cryptosuites": [r.cryptosuite for r in results]})
    expected = issuer_id(credential)
    if expected is None:
        return [proof, _fail("issuer", P.MALFORMED_VALUE_ERROR, "issuer_missing", "No issuer",
                             "The credential does not name its issuer.", "/issuer")]
    if any(r.controller == expected for r in results):
        return [proof, CheckResult("issuer", Outcome.PASS, f"Signed with a key that belongs to the issuer {expected}.",
                                   details={"issuer": expected})]
    controllers = ", ".join(sorted({str(r.controller) for r in results}))
    return [proof, _fail("issuer", P.PROOF_VERIFICATION_ERROR, "key_not_issuers", "Key not the issuer's",
                         f"The signing key belongs to {controllers}, not to the issuer {expected}.",
                         "/proof/verificationMethod")]


def _validity_fields(credential: dict[str, Any]) -> tuple[str, str]:
    if credential["@context"][0] == VC1_CONTEXT:
        return "issuanceDate", "expirationDate"
    return "validFrom", "validUntil"


def check_validity(credential: dict[str, Any], now: datetime, skew: timedelta) -> CheckResult:
    """Validity period (VCDM 2.0 §4.9; VCDM 1.1 issuanceDate/expirationDate for legacy)."""
    start_name, end_name = _validity_fields(credential)
    bounds: dict[str, datetime | None] = {}
    for name in (start_name, end_name):
        value = credential.get(name)
        if value is None:
            bounds[name] = None
            continue
        try:
            bounds[name] = parse_datetime_z(value)
        except DateError as exc:
            return _fail("validity", P.MALFORMED_VALUE_ERROR, exc.code, "Malformed date",
                         f"{name} is not a valid date-time with a time zone: {exc.message}", f"/{name}")
    start, end = bounds[start_name], bounds[end_name]
    if start and end and end < start:
        return _fail("validity", P.MALFORMED_VALUE_ERROR, "validity_inverted", "Invalid validity period",
                     f"{end_name} is earlier than {start_name}.", f"/{end_name}")
    if start and now + skew < start:
        return _fail("validity", P.RANGE_ERROR, "not_yet_valid", "Not yet valid",
                     f"The credential is not valid until {start.isoformat()}.", f"/{start_name}")
    if end and now - skew > end:
        return _fail("validity", P.RANGE_ERROR, "expired", "Expired",
                     f"The credential expired on {end.isoformat()}.", f"/{end_name}")
    summary = "Currently valid" + (f" until {end.isoformat()}." if end else " (no expiry date).")
    return CheckResult("validity", Outcome.PASS, summary)


def verify_credential(
    raw: dict[str, Any] | str | bytes,
    *,
    resolve_key: KeyResolver,
    now: datetime,
    clock_skew: timedelta = timedelta(minutes=5),
    allowed_contexts: frozenset[str] | None = None,
    extra_checks: Sequence[ExtraCheck] = (),
) -> VerificationReport:
    """Run the named checks over a credential and return the report. Never raises on bad input."""
    credential, parsed = parse_credential(raw)
    if credential is None:
        return VerificationReport([parsed])
    allowed = known_urls() if allowed_contexts is None else allowed_contexts
    steps: list[tuple[str, Callable[[], CheckResult | list[CheckResult]]]] = [
        ("contexts", lambda: check_contexts(credential, allowed)),
        ("schema", lambda: check_schema(credential)),
        ("resources", lambda: check_related_resources(credential)),
        ("proof", lambda: check_proof_and_issuer(credential, resolve_key)),
        ("validity", lambda: check_validity(credential, now, clock_skew)),
    ]
    steps += [(getattr(check, "check_name", "extra"), lambda check=check: check(credential)) for check in extra_checks]
    checks = [parsed]
    for name, run in steps:
        checks += _guarded(name, run)
    return VerificationReport(checks, credential)


def _guarded(name: str, run: Callable[[], CheckResult | list[CheckResult]]) -> list[CheckResult]:
    """A check that crashes is reported as a failed check, never as a traceback to the caller."""
    try:
        result = run()
    except Exception as exc:  # noqa: BLE001 - the report must be returned whatever the input
        return [_fail(name, P.MALFORMED_VALUE_ERROR, "check_crashed", "Could not be checked",
                      f"The {name} check could not process this credential ({type(exc).__name__}: {exc}).")]
    return result if isinstance(result, list) else [result]
