"""What the employer's page shows, taken from a verified (or not) credential for display only.

Nothing here decides validity: that is the report's job. Values from the credential are
untrusted text; templates escape them, and links are kept only when they are http(s).
Recipient (OB#achievementsubject, OB#identityobject), achievement level and statements
(OB#alignment targetType `CFRubricCriterionLevel` / `CFItem`), the badge image.

The badge image is shown only when the employer's browser need not contact a third party:
a `data:` image in the credential (or the uploaded baked image itself), or an http(s) URL
whose host is on the verifier's allowlist (`image_hosts`, the guard's allowlist). Anything
else is replaced by a built-in neutral badge.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from issuer.dates import parse_datetime_z
from issuer.errors import IssuerError
from issuer.identity import identity_matches, normalize_email
from urllib.parse import urlsplit

from issuer.problems import CheckResult, Outcome
from verifier.engine import Verification
from verifier.resolvers import HostAllowlist

DATA_IMAGE_PREFIXES = ("data:image/png;", "data:image/svg+xml;", "data:image/jpeg;", "data:image/gif;",
                       "data:image/webp;")
_NEUTRAL_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120">'
    '<polygon points="60,4 108,32 108,88 60,116 12,88 12,32" fill="#d5dbe1"/>'
    '<polygon points="60,14 99,37 99,83 60,106 21,83 21,37" fill="#eef1f4"/>'
    '<path d="M40 61 l13 13 l27 -29" fill="none" stroke="#7a8794" stroke-width="8" '
    'stroke-linecap="round" stroke-linejoin="round"/></svg>')
NEUTRAL_BADGE = "data:image/svg+xml;base64," + base64.b64encode(_NEUTRAL_SVG.encode("ascii")).decode("ascii")
"""Shown when the credential has no image this page may display (no third-party fetch)."""


@dataclass
class CheckRow:
    """One check: `summary` is the technical finding (the "every check" table and the API);
    `plain` says the same for a person, above the table."""

    name: str
    outcome: str
    label: str
    summary: str
    codes: list[str]
    outcome_label: str = ""
    plain: str = ""


@dataclass
class CredentialView:
    """Plain fields for the result page."""

    verdict: str
    title: str | None = None
    holder_name: str | None = None
    holder_id: str | None = None
    hashed_emails: int = 0
    email_match: bool | None = None
    achievement_name: str | None = None
    achievement_description: str | None = None
    assessed_by: list[dict[str, str | None]] = field(default_factory=list)
    assessments: list[dict[str, str | None]] = field(default_factory=list)
    level: str | None = None
    statements: list[tuple[str, str]] = field(default_factory=list)
    framework: dict[str, Any] | None = None
    endorsements: list[dict[str, Any]] = field(default_factory=list)
    issuer_name: str | None = None
    issuer_id: str | None = None
    issuer_url: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    awarded: str | None = None
    image: str | None = None
    image_is_placeholder: bool = False
    format: str | None = None
    checks: list[CheckRow] = field(default_factory=list)

    @property
    def headline(self) -> str:
        return VERDICT_HEADLINES[self.verdict]

    @property
    def failures(self) -> list[CheckRow]:
        return [c for c in self.checks if c.outcome == Outcome.FAIL.value]

    @property
    def warnings(self) -> list[CheckRow]:
        return [c for c in self.checks if c.outcome == Outcome.CANNOT_CHECK.value]

    @property
    def explanation(self) -> str:
        """One plain sentence under the verdict."""
        if self.verdict == "not-verified":
            return "Do not rely on this credential: " + _sentence(self.failures[0].plain)
        if self.verdict == "incomplete":
            return ("The signature and dates are in order, but some checks could not be completed. "
                    "Read the warnings below before you rely on it.")
        status = next((c for c in self.checks if c.name == "status"), None)
        revocation = (" and the issuer has not revoked it" if status and "no revocation" not in status.summary
                      else "")
        return ("The issuer signed this credential, nothing in it has changed since, it is within its "
                f"validity dates{revocation}.")


PLAIN: dict[str, str] = {
    "signature_invalid": "The digital signature does not match: the credential was changed after it was signed, "
                         "or it was signed with a different key.",
    "jws_signature_invalid": "The digital signature does not match: the credential was changed after it was "
                             "signed, or it was signed with a different key.",
    "proof_missing": "The credential carries no digital signature.",
    "proof_value_encoding": "The digital signature is malformed.",
    "proof_value_length": "The digital signature is malformed.",
    "proof_malformed": "The digital signature is malformed.",
    "key_not_authorized": "The key that signed it is not one the issuer uses to issue credentials.",
    "key_unresolvable": "The key that signed it could not be found.",
    "context_unknown": "The credential uses a vocabulary (JSON-LD context) this verifier does not trust.",
    "jsonld_protected_term_redefinition": "The credential tries to change the meaning of a standard term, "
                                          "which is not allowed.",
    "context_invalid": "The credential's vocabulary (JSON-LD context) is malformed.",
    "proof_transformation": "The credential's contents could not be read exactly, so its signature cannot be checked.",
    # What was submitted could not be read (the technical detail stays in the "every check" table).
    "no_credential": "This image holds no credential: it is a picture, not a baked badge. Ask for the badge file "
                     "the issuer provided, or its link.",
    "compressed": "This badge image stores its credential in a way the Open Badges standard does not allow.",
    "itxt_malformed": "The credential inside this badge image is damaged.",
    "not_png": "This file is not a readable PNG image.",
    "crc_mismatch": "This image file is damaged.",
    "image_invalid": "This image file is damaged or is not a badge image.",
    "format_unrecognized": "This file is not a credential: upload the badge's PNG or SVG image, or its JSON file.",
    "format_empty": "Nothing was submitted.",
    "malformed_json": "This text is not a credential: it is neither a JSON credential nor a JWT. Check that it was "
                      "copied completely.",
    "not_an_object": "This text is not a credential.",
    "json_too_deep": "This file nests its data more than 64 levels deep, which no credential needs: it cannot be "
                     "read here.",
    "json_too_large": "This file holds far more data than a credential does: it cannot be read here.",
    "envelope_invalid": "The credential inside this envelope could not be read.",
    # A link could not be opened.
    "fetch_dns": "The web address could not be found. Check the link for typing mistakes.",
    "fetch_timeout": "The site did not answer in time. Try again later.",
    "fetch_http_status": "The site answered with an error instead of a credential.",
    "fetch_not_json": "The link did not lead to a credential.",
    "fetch_tls": "The site's secure connection could not be established.",
    "fetch_failed": "The site could not be reached.",
    "fetch_too_large": "The link leads to a file too large to be a credential.",
    "fetch_url_invalid": "This is not a web address (it should start with https://).",
    "fetch_not_https": "The link must use a secure (https) address.",
    "fetch_private_address": "This verifier does not open links to private or internal network addresses.",
    "fetch_budget_spent": "Checking took too long, so some parts were not checked.",
    # The issuer's revocation list.
    "status_list_unreachable": "We could not reach the issuer's revocation list, so we cannot tell whether the issuer "
                               "has withdrawn this credential.",
    "status_list_unreadable": "The issuer's revocation list could not be read, so we cannot tell whether the issuer "
                              "has withdrawn this credential.",
    "status_list_unverified": "The issuer's revocation list is not signed correctly, so we cannot rely on it.",
    "status_list_foreign_issuer": "The revocation list was published by someone other than the issuer, so we cannot "
                                  "rely on it.",
    "status_type_unsupported": "This credential uses a kind of revocation check this verifier does not support.",
}
"""Plain sentences for problem codes whose technical detail would not help an employer (the
details stay in the "every check" table and in the API's answer)."""

VERDICT_HEADLINES = {"verified": "Verified", "not-verified": "Not verified", "incomplete": "Could not fully check"}
OUTCOME_LABELS = {Outcome.PASS: "Passed", Outcome.FAIL: "Failed", Outcome.CANNOT_CHECK: "Could not check"}
CHECK_LABELS = {"parse": "Format", "contexts": "Vocabulary", "schema": "Open Badges format",
                "resources": "Related resources", "proof": "Signature",
                "issuer": "Issuer's key", "claims": "JWT claims", "validity": "Validity period",
                "status": "Revocation status", "framework": "Competency framework", "endorsements": "Endorsements"}


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].lower() + text[1:]) if text[:2] != text[:2].upper() else text


def human_date(value: str | None) -> str | None:
    """"2026-05-20T14:03:11Z" -> "20 May 2026, 14:03 UTC" (the raw value when it does not parse)."""
    if value is None:
        return None
    try:
        moment = parse_datetime_z(value, require_zone=False)
    except IssuerError:
        return value
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def _plain(check: CheckResult) -> str:
    """The sentence a person reads about `check`: the plain one for its first known problem code."""
    codes = [p.code for p in check.problems if p.code in PLAIN]
    return PLAIN[codes[0]] if check.outcome is not Outcome.PASS and codes else check.summary


def _signature_failure(check: CheckResult) -> bool:
    return check.outcome is Outcome.FAIL and any(p.code in SIGNATURE_CODES for p in check.problems)


SIGNATURE_CODES = frozenset({"signature_invalid", "jws_signature_invalid", "proof_missing", "proof_value_encoding",
                             "proof_value_length", "proof_malformed", "key_not_authorized", "key_unresolvable"})
"""Problems whose plain sentence also replaces the table's summary (they read better than the detail)."""


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _link(value: Any) -> str | None:
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else None


def displayable_image(value: Any, hosts: HostAllowlist) -> str | None:
    """An OB Image (or its URL) the browser may load: a `data:` image, or an http(s) URL on `hosts`."""
    url = value.get("id") if isinstance(value, dict) else value
    if not isinstance(url, str):
        return None
    if url.startswith(DATA_IMAGE_PREFIXES):
        return url
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    if parts.scheme in ("https", "http") and parts.hostname and not parts.username and hosts.allows(parts.hostname, port):
        return url
    return None


def _subject(credential: dict[str, Any]) -> dict[str, Any]:
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else {}
    return subject if isinstance(subject, dict) else {}


def _identities(subject: dict[str, Any]) -> list[dict[str, Any]]:
    found = subject.get("identifier", [])
    found = found if isinstance(found, list) else [found]
    return [i for i in found if isinstance(i, dict)]


def holder_name(subject: dict[str, Any]) -> str | None:
    for identity in _identities(subject):
        if identity.get("identityType") == "name" and identity.get("hashed") is False:
            return _text(identity.get("identityHash"))
    return _text(subject.get("name"))


def email_matches(subject: dict[str, Any], email: str) -> bool:
    """Whether `email` hashes to one of the subject's emailAddress identities (OB#verify-identifier)."""
    try:
        normalized = normalize_email(email)
    except IssuerError:
        return False
    for identity in _identities(subject):
        if identity.get("identityType") != "emailAddress" or not isinstance(identity.get("identityHash"), str):
            continue
        if identity.get("hashed") is False:
            if identity["identityHash"].strip().lower() == normalized:
                return True
        elif identity_matches(identity["identityHash"], normalized, identity.get("salt")):
            return True
    return False


def _alignments(achievement: dict[str, Any]) -> list[dict[str, Any]]:
    found = achievement.get("alignment", [])
    return [a for a in (found if isinstance(found, list) else [found]) if isinstance(a, dict)]


def _fill_achievement(view: CredentialView, subject: dict[str, Any], hosts: HostAllowlist) -> None:
    achievement = subject.get("achievement") if isinstance(subject.get("achievement"), dict) else {}
    view.achievement_name = _text(achievement.get("name"))
    view.achievement_description = _text(achievement.get("description"))
    for alignment in _alignments(achievement):
        if alignment.get("targetType") == "CFRubricCriterionLevel" and view.level is None:
            view.level = _text(alignment.get("targetName"))
        elif alignment.get("targetType") == "CFItem":
            view.statements.append((_text(alignment.get("targetCode")) or "", _text(alignment.get("targetName")) or ""))
    view.image = displayable_image(subject.get("image"), hosts) or displayable_image(achievement.get("image"), hosts)


def _fill_issuer(view: CredentialView, credential: dict[str, Any]) -> None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        view.issuer_id, view.issuer_name = _text(issuer.get("id")), _text(issuer.get("name"))
        view.issuer_url = _link(issuer.get("url"))
    else:
        view.issuer_id = _text(issuer)


def _as_list(value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]


def _fill_assessment(view: CredentialView, credential: dict[str, Any], subject: dict[str, Any]) -> None:
    """Who assessed the holder (`credentialSubject.source`, OB#achievementsubject) and on what
    assessments (`evidence`, OB#evidence): what an employer asks right after the verdict."""
    view.assessed_by = [{"name": _text(p.get("name")) or _text(p.get("id")), "url": _link(p.get("url") or p.get("id"))}
                        for p in _as_list(subject.get("source"))]
    view.assessments = [{"name": _text(e.get("name")) or "Assessment", "description": _text(e.get("description")),
                         "narrative": _text(e.get("narrative")), "url": _link(e.get("id"))}
                        for e in _as_list(credential.get("evidence"))]


def credential_view(verification: Verification, email: str | None = None, *,
                    image_hosts: HostAllowlist | None = None) -> CredentialView:
    """The page's view of one verification (and, when given, whether `email` is the holder's).
    `image_hosts`: hosts the employer's browser may load a badge image from (none by default)."""
    view = CredentialView(verdict=verification.verdict,
                          format=verification.submission.format if verification.submission else None)
    view.checks = [CheckRow(c.name, c.outcome.value, CHECK_LABELS.get(c.name, c.name.title()),
                            _plain(c) if _signature_failure(c) else c.summary,
                            [p.code for p in c.problems], OUTCOME_LABELS[c.outcome], _plain(c))
                   for c in verification.report.checks]
    framework = verification.report.check("framework")
    view.framework = framework.details if framework and framework.details.get("label") else None
    endorsements = verification.report.check("endorsements")
    view.endorsements = list(endorsements.details.get("endorsements", [])) if endorsements else []
    credential = verification.credential
    if not isinstance(credential, dict):
        return view
    subject = _subject(credential)
    view.title = _text(credential.get("name"))
    view.holder_name, view.holder_id = holder_name(subject), _text(subject.get("id"))
    view.hashed_emails = sum(1 for i in _identities(subject) if i.get("identityType") == "emailAddress")
    if email:
        view.email_match = email_matches(subject, email)
    _fill_achievement(view, subject, image_hosts or HostAllowlist())
    _fill_issuer(view, credential)
    _fill_assessment(view, credential, subject)
    view.valid_from = _text(credential.get("validFrom") or credential.get("issuanceDate"))
    view.valid_until = _text(credential.get("validUntil") or credential.get("expirationDate"))
    view.awarded = _text(credential.get("awardedDate"))
    submission = verification.submission
    if submission and submission.image and submission.image_type:
        view.image = f"data:{submission.image_type};base64," + base64.b64encode(submission.image).decode("ascii")
    if view.image is None:
        view.image, view.image_is_placeholder = NEUTRAL_BADGE, True
    return view
