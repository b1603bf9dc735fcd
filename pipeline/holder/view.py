"""What the credential's public page shows, read from the stored credential (issue 9).

`credential_page(credential, ...)` turns one `Credential` row (its signed document, award and
status columns) into a `CredentialPage`: holder, level, the level's statements, framework and
its attribution, issuer, providers (`source`) and assessments (`evidence`), dates, the live
status (revoked from `revoked_at`, expired from `validUntil`, else valid), the download links
and the "Add to LinkedIn" link. Pure reading: nothing is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from issuer.errors import IssuerError
from issuer.frameworks import FrameworkRegistry
from issuer.frameworks.models import Framework, Level
from issuer.frameworks.urls import FrameworkUrls
from pipeline.outcomes import URN_UUID, public_page_url
from pipeline.store.models import Credential
from pipeline.store.types import parse_utc, parse_valid_until
from verifier.display import holder_name, human_date

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"
DOWNLOADS = (("json", "Signed credential (JSON)"), ("png", "Badge image with the credential inside (PNG)"),
             ("svg", "Badge image with the credential inside (SVG)"), ("pdf", "Printable certificate (PDF)"))


def page_url(public_url: str, credential_id: str) -> str:
    """The public page's absolute URL (the `public_url` field of the provider API)."""
    return public_page_url(public_url, credential_id)


@dataclass(frozen=True)
class Status:
    """`valid`, `revoked`, `suspended` or `expired`, with a plain sentence."""

    key: str
    label: str
    detail: str


def live_status(credential: Credential, now: datetime) -> Status:
    """Revoked (`revoked_at`), then suspended (`suspended_at`), then expired (`validUntil`), else valid."""
    if credential.revoked_at is not None:
        return Status("revoked", "Revoked", f"The issuer revoked this credential on {day(credential.revoked_at)}.")
    if credential.suspended_at is not None:
        return Status("suspended", "Suspended",
                      f"The issuer suspended this credential on {day(credential.suspended_at)}.")
    until = parse_valid_until(credential.document)
    if until is not None and until <= now:
        return Status("expired", "Expired", f"This credential expired on {day(until)}.")
    if until is not None:
        return Status("valid", "Valid", f"Valid until {day(until)}.")
    return Status("valid", "Valid", "Issued and not revoked.")


def day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


@dataclass(frozen=True)
class Evidence:
    name: str
    url: str | None
    description: str | None
    narrative: str | None


@dataclass
class CredentialPage:
    uuid: str
    url: str
    title: str
    holder: str
    achievement: str
    level: Level | None
    framework: Framework | None
    framework_code: str
    framework_version: str
    issuer_name: str
    issuer_id: str
    issuer_url: str | None
    issued_on: str
    valid_from: datetime | None
    valid_until: str | None
    status: Status
    source: dict[str, Any] | None
    evidence: list[Evidence]
    statements: list[tuple[str, str, str]]
    """(code, text, URL) of the level's statements."""
    linkedin_url: str
    credential_text: str
    framework_url: str | None = None
    downloads: list[tuple[str, str]] = field(default_factory=list)

    @property
    def attribution(self) -> str | None:
        return self.framework.document.attribution if self.framework else None

    @property
    def sources(self) -> dict[str, Any]:
        return dict(self.framework.document.sources) if self.framework else {}


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _evidence(document: dict[str, Any]) -> list[Evidence]:
    items = document.get("evidence") or []
    return [Evidence(name=_text(e.get("name")) or "Assessment", url=_text(e.get("id")),
                     description=_text(e.get("description")), narrative=_text(e.get("narrative")))
            for e in (items if isinstance(items, list) else [items]) if isinstance(e, dict)]


def linkedin_url(*, name: str, organization: str, issued: datetime | None, expires: datetime | None,
                 cert_url: str, cert_id: str) -> str:
    """LinkedIn's add-certification link, filled in."""
    query: dict[str, Any] = {"startTask": "CERTIFICATION_NAME", "name": name, "organizationName": organization}
    if issued is not None:
        query.update(issueYear=issued.year, issueMonth=issued.month)
    if expires is not None:
        query.update(expirationYear=expires.year, expirationMonth=expires.month)
    query.update(certUrl=cert_url, certId=cert_id)
    return f"{LINKEDIN_ADD}?{urlencode(query)}"


def _framework(registry: FrameworkRegistry, code: str, version: str, level: str) -> tuple[Framework | None,
                                                                                          Level | None]:
    try:
        fw = registry.get(code, version)
        return fw, fw.level(level)
    except IssuerError:
        return None, None


def credential_text(document: dict[str, Any]) -> str:
    """The signed credential as served by `/c/<uuid>.json` (stored key order, UTF-8)."""
    return json.dumps(document, ensure_ascii=False, indent=2)


def credential_page(credential: Credential, *, registry: FrameworkRegistry, urls: FrameworkUrls, public_url: str,
                    now: datetime) -> CredentialPage:
    document, award = credential.document, credential.award
    fw, level = _framework(registry, award.framework_code, award.framework_version, award.level)
    subject = document.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    issuer = document.get("issuer") if isinstance(document.get("issuer"), dict) else {"id": document.get("issuer")}
    uuid = credential.id.removeprefix(URN_UUID)
    url = page_url(public_url, credential.id)
    valid_from = parse_utc(document.get("validFrom"))
    until = parse_valid_until(document)
    name = _text(achievement.get("name")) or _text(document.get("name")) or "Credential"
    issuer_name = _text(issuer.get("name")) or _text(issuer.get("id")) or "Unknown issuer"
    statements = [(s.code, s.text, urls.statement(fw, s.code)) for s in level.statements] if fw and level else []
    return CredentialPage(
        uuid=uuid, url=url, title=_text(document.get("name")) or name,
        holder=holder_name(subject) or "The holder", achievement=name, level=level, framework=fw,
        framework_code=award.framework_code, framework_version=award.framework_version,
        issuer_name=issuer_name, issuer_id=_text(issuer.get("id")) or "", issuer_url=_text(issuer.get("url")),
        issued_on=day(valid_from or credential.issued_at), valid_from=valid_from,
        valid_until=human_date(document.get("validUntil")) if until else None,
        status=live_status(credential, now), source=subject.get("source") if isinstance(subject.get("source"), dict)
        else None, evidence=_evidence(document), statements=statements,
        linkedin_url=linkedin_url(name=name, organization=issuer_name, issued=valid_from or credential.issued_at,
                                  expires=until, cert_url=url, cert_id=uuid),
        credential_text=credential_text(document), framework_url=urls.framework(fw) if fw else None,
        downloads=[(f"{url}.{ext}", label) for ext, label in DOWNLOADS],
    )
