"""Issuing a caller's credential over the VC API (VCALM `POST /credentials/issue`).

Free of Flask and Celery. The web process reads the request (`read_issue_request`: body
shape and options, cheap and key-free) and hands it to a `CredentialIssuer`; the worker,
which holds the signing key, re-reads it and runs `issue_result`:

1. the envelope (VCDM 2.0 §4, VCDM 1.1 for `@context[0]` = the 1.1 context): `@context`,
   `type` with `VerifiableCredential`, a non-empty `credentialSubject`;
2. every `@context` on the bundled allowlist (DI 1.0 §4.6 / §2.4.1 "context injection");
3. the issuer (a string or an object's `id`) is ours: the worker's issuer id;
4. dates are well-formed xsd:dateTime values in order (VCDM 2.0 §4.9); a period that has
   ended or not begun is the caller's business; every VCDM 2.0 issuer MUST holds
   (`issuer.vcdm_rules`: typed status/schema/refresh/terms/evidence objects, related
   resources with unique ids and correct digests) and an Open Badge follows the OB 3.0
   schema: all problems at once, `422` with the JSON pointer of each (`errors`);
5. every term and type is defined by the contexts (RDFC-1.0 in safe mode, DI 1.0 §4.1);
6. sign: `eddsa-rdfc-2022`, `DataIntegrityProof`, `assertionMethod`, with the issuer's
   current key, as a proof set (`proof` is always an array, as the OB 3.0 schema wants). A
   credential that already carries proofs gets ours appended (DI 1.0 §4.3: "append or
   reject, per configuration": we append);
7. self-check: our new proof verifies with our key (earlier proofs are the caller's).

A VC 1.1 credential without `issuanceDate` gets the signing time (VCDM 1.1 §4.6 requires
it), and without the Data Integrity context gets it appended (DI 1.0 §2.4.1: the 1.1 context
does not define `DataIntegrityProof`). Refusals are `IssueRefused` with a stable `code` and a ProblemDetails `type`; the
result crossing the task boundary is `{"verifiableCredential": ...}` or `{"problem": ...}`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from issuer import problems as P
from issuer.canonical import rdfc_nquads
from issuer.contexts import known_urls
from issuer.cryptosuites import add_proof, verify_proofs
from issuer.dates import format_datetime_z
from issuer.errors import ContextError, IssuerError, JsonLdError
from issuer.jsondoc import JsonDocumentError, parse_json
from issuer.problems import CheckResult, Outcome
from issuer.vcdm_rules import issuer_violations
from issuer.verify import VC1_CONTEXT, check_contexts, check_schema, check_validity, issuer_id, parse_credential
from pipeline.errors import PipelineError
from pipeline.issuance import IssuingIdentity

log = logging.getLogger(__name__)

UNKNOWN_OPTION_PROVIDED = "https://www.w3.org/TR/vcalm#UNKNOWN_OPTION_PROVIDED"
DATA_INTEGRITY_CONTEXT = "https://w3id.org/security/data-integrity/v2"
ISSUE_OPTIONS = frozenset({"challenge", "domain"})
"""VCALM issue options we honour; both become members of the new proof (DI 1.0 §2.1)."""


class IssueRefused(PipelineError):
    """The request or its credential cannot be signed: answered `400` with this problem."""

    code = "issue_refused"

    def __init__(self, message: str, *, code: str, type_: str = P.MALFORMED_VALUE_ERROR, path: str = "",
                 status: int = 400, errors: list[dict[str, str]] | None = None):
        super().__init__(message, code=code, path=path)
        self.type = type_
        self.status = status
        self.errors = errors or []

    def problem(self) -> dict[str, Any]:
        """VC ProblemDetails (VCDM 2.0 §7.1) plus our stable `code`."""
        body = {"type": self.type, "code": self.code, "title": _TITLES.get(self.code, "Credential refused"),
                "detail": self.message}
        if self.path:
            body["path"] = self.path
        if self.status != 400:
            body["status"] = self.status
        if self.errors:
            body["errors"] = self.errors
        return body


class IssuerUnavailable(PipelineError):
    """No worker answered in time, or the broker is down: answered `503`, try again."""

    code = "issuer_unavailable"


class CredentialIssuer(Protocol):
    """Signs in the process that holds the key; returns `issue_result`'s dict."""

    def issue(self, credential: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]: ...


_TITLES = {
    "body_not_object": "Malformed request", "credential_missing": "Malformed request",
    "options_invalid": "Malformed request", "option_invalid": "Malformed request",
    "unknown_option": "Unknown option", "issuer_not_ours": "Issuer not ours",
    "issuer_missing": "No issuer", "subject_empty": "Empty credentialSubject",
    "signing_failed": "Signing failed", "credential_invalid": "Credential breaks the data model",
}


# --- the request (web and worker) ---------------------------------------------------------
def read_issue_request(body: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """`{"credential": {...}, "options": {...}}` (VCALM issue request); options may be absent."""
    if not isinstance(body, dict):
        raise IssueRefused("the request body must be a JSON object", code="body_not_object", type_=P.PARSING_ERROR)
    credential = body.get("credential")
    if not isinstance(credential, dict):
        raise IssueRefused("the request has no credential object", code="credential_missing",
                           type_=P.PARSING_ERROR, path="/credential")
    return credential, check_options(body.get("options"))


def check_options(options: Any) -> dict[str, Any]:
    """Only `challenge` and `domain`, as strings; anything else is UNKNOWN_OPTION_PROVIDED."""
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise IssueRefused("options must be a JSON object", code="options_invalid", type_=P.PARSING_ERROR,
                           path="/options")
    unknown = sorted(set(options) - ISSUE_OPTIONS)
    if unknown:
        raise IssueRefused(f"unknown option(s): {', '.join(unknown)}", code="unknown_option",
                           type_=UNKNOWN_OPTION_PROVIDED, path=f"/options/{unknown[0]}")
    for name, value in options.items():
        if not isinstance(value, str) or not value:
            raise IssueRefused(f"option {name} must be a non-empty string", code="option_invalid",
                               type_=P.PARSING_ERROR, path=f"/options/{name}")
    return dict(options)


# --- the checks (worker) ---------------------------------------------------------------------
def _refuse_failed(result: CheckResult) -> None:
    if result.outcome is Outcome.FAIL:
        first = result.problems[0]
        raise IssueRefused(first.detail, code=first.code, type_=first.type, path=first.path or "")


def check_envelope(credential: dict[str, Any]) -> None:
    """Step 1: a VC 1.1 or 2.0 credential with a non-empty credentialSubject."""
    _refuse_failed(parse_credential(credential)[1])
    subject = credential["credentialSubject"]
    subjects = subject if isinstance(subject, list) else [subject]
    if not subjects or any(not isinstance(s, dict) or not s for s in subjects):
        raise IssueRefused("credentialSubject must hold at least one claim", code="subject_empty",
                           path="/credentialSubject")


def check_issuer_is_ours(credential: dict[str, Any], ours: str) -> None:
    """Step 3: the credential's issuer (string or object id) is the key holder's id."""
    named = issuer_id(credential)
    if named is None:
        raise IssueRefused("the credential does not name its issuer", code="issuer_missing", path="/issuer")
    if named != ours:
        raise IssueRefused(f"this service issues only as {ours}, not as {named}", code="issuer_not_ours",
                           path="/issuer")


def check_dates_well_formed(credential: dict[str, Any], now: datetime) -> None:
    """Step 4: validity dates parse and are in order; being outside the period is allowed."""
    result = check_validity(credential, now, timedelta(0))
    if result.outcome is Outcome.FAIL and result.problems[0].code not in ("expired", "not_yet_valid"):
        _refuse_failed(result)


def check_data_model(credential: dict[str, Any]) -> None:
    """Step 4: every VCDM 2.0 issuer MUST and the OB 3.0 schema, all problems in one `422`."""
    errors = [{"code": v.code, "path": v.path, "detail": v.message} for v in issuer_violations(credential)]
    schema = check_schema(credential)
    if schema.outcome is Outcome.FAIL:
        errors += [{"code": p.code, "path": p.path or "", "detail": p.detail} for p in schema.problems]
    if errors:
        raise IssueRefused(f"the credential breaks {len(errors)} data model rule(s); see errors",
                           code="credential_invalid", path=errors[0]["path"], status=422, errors=errors)


def check_terms_defined(credential: dict[str, Any]) -> None:
    """Step 5: RDFC-1.0 canonicalization in safe mode; an undefined term or type is refused."""
    try:
        rdfc_nquads({k: v for k, v in credential.items() if k != "proof"})
    except (JsonLdError, ContextError) as exc:
        raise IssueRefused(exc.message, code=exc.code, type_=P.PARSING_ERROR,
                           path=exc.pointer) from exc


def with_issuance_date(credential: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A VC 1.1 credential without `issuanceDate` gets the signing time (VCDM 1.1 §4.6)."""
    if credential["@context"][0] == VC1_CONTEXT and "issuanceDate" not in credential:
        return {**credential, "issuanceDate": format_datetime_z(now)}
    return credential


def with_proof_context(credential: dict[str, Any]) -> dict[str, Any]:
    """A VC 1.1 credential gets the Data Integrity context unless it has it (DI 1.0 §2.4.1)."""
    contexts = credential["@context"]
    if contexts[0] == VC1_CONTEXT and DATA_INTEGRITY_CONTEXT not in contexts:
        return {**credential, "@context": [*contexts, DATA_INTEGRITY_CONTEXT]}
    return credential


def checked_credential(credential: dict[str, Any], ours: str, now: datetime) -> dict[str, Any]:
    """Steps 1-5; returns the credential to sign (VC 1.1: with `issuanceDate` and the DI context).

    Steps 1 and 2 (envelope, contexts) are what the others need to read the document; steps 3
    and 4 (issuer, dates, data model) are independent, so their problems are reported together:
    the first one's status and code, and `errors` listing every problem with its path."""
    check_envelope(credential)
    _refuse_failed(check_contexts(credential, known_urls()))
    refusals = _refusals(lambda: check_issuer_is_ours(credential, ours))
    credential = with_proof_context(with_issuance_date(credential, now))
    refusals += _refusals(lambda: check_dates_well_formed(credential, now), lambda: check_data_model(credential))
    if refusals:
        raise _together(refusals)
    check_terms_defined(credential)
    return credential


def _refusals(*checks: Callable[[], None]) -> list[IssueRefused]:
    found = []
    for check in checks:
        try:
            check()
        except IssueRefused as refusal:
            found.append(refusal)
    return found


def _together(refusals: list[IssueRefused]) -> IssueRefused:
    """One refusal for several: the first's status, code and type; every problem in `errors`."""
    first = refusals[0]
    errors = [e for r in refusals for e in (r.errors or [{"code": r.code, "path": r.path, "detail": r.message}])]
    if len(errors) == 1:
        return first
    return IssueRefused(f"{len(errors)} problems; see errors", code=first.code, type_=first.type, path=first.path,
                        status=first.status, errors=errors)


# --- signing (worker) -------------------------------------------------------------------------
def sign_credential(credential: dict[str, Any], options: dict[str, Any], identity: IssuingIdentity,
                    now: datetime) -> dict[str, Any]:
    """Steps 6-7: add our proof (appended to any existing ones) and verify it before answering."""
    try:
        signed = add_proof(credential, signer=identity.signer, created=format_datetime_z(now),
                           challenge=options.get("challenge"), domain=options.get("domain"), as_set=True)
    except IssuerError as exc:
        raise IssueRefused(f"[{exc.code}] {exc.message}", code="signing_failed",
                           type_=P.PROOF_GENERATION_ERROR) from exc
    ours = verify_proofs(signed, resolve_key=identity.resolve_key, challenge=options.get("challenge"),
                         domain=options.get("domain"), now=now)[-1]
    if not ours.verified or ours.controller != identity.profile.id:
        codes = [p.code for p in ours.problems]
        raise IssueRefused(f"the new proof did not verify: {codes}", code="self_verification_failed",
                           type_=P.PROOF_GENERATION_ERROR)
    return signed


def issue_result(credential_json: str, options: dict[str, Any], identity: IssuingIdentity,
                 now: datetime) -> dict[str, Any]:
    """What `badgeline.issue_credential` returns: the signed credential, or the refusal."""
    try:
        credential, checked_options = read_issue_request({"credential": parse_json(credential_json),
                                                          "options": options})
        unsigned = checked_credential(credential, identity.profile.id, now)
        return {"verifiableCredential": sign_credential(unsigned, checked_options, identity, now)}
    except IssueRefused as refused:
        return {"problem": refused.problem()}
    except JsonDocumentError as exc:
        return {"problem": IssueRefused(exc.message, code=exc.code, type_=P.PARSING_ERROR).problem()}
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        # Input our checks did not foresee: refuse it (never a 5xx for bad input), and log it.
        log.exception("issue_credential: unforeseen input failure")
        refused = IssueRefused(f"the credential could not be processed ({type(exc).__name__})",
                               code="credential_unprocessable", type_=P.PARSING_ERROR)
        return {"problem": refused.problem()}


__all__ = [
    "CredentialIssuer", "ISSUE_OPTIONS", "IssueRefused", "IssuerUnavailable", "UNKNOWN_OPTION_PROVIDED",
    "check_data_model", "check_dates_well_formed", "check_envelope", "check_issuer_is_ours", "check_options", "check_terms_defined", "checked_credential",
    "issue_result", "read_issue_request", "sign_credential", "with_issuance_date", "with_proof_context",
]
