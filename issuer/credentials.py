"""Framework level -> Achievement -> OB 3.0 AchievementCredential (unsigned, validated).

One Achievement per (framework version, level) (DIGEST 5.6), its id and every alignment
target carrying the version; the framework document is pinned by digest (VCDM §5.3
`relatedResource` + `digestSRI`). The builder takes time as arguments (no clock) and
returns a dict that has passed the OB schema and the semantic checks of issuer.schema.

Decisions:
* Recipient (OB#achievementsubject): the holder DID as `credentialSubject.id` when known,
  otherwise an IdentityObject with the salted SHA-256 of the normalized email (random
  salt when none is given). The display name is an un-hashed IdentityObject of
  identityType `name`. A plaintext email never appears.
* Source (OB#achievementsubject `source` is ONE Profile): the provider whose evidence is
  latest (evidence `provider_name` matched to `sources` by name, by `assessed_at`);
  failing that, the first of `sources`. Every provider is named in its evidence entries.
* Evidence (OB#evidence has no provider/statement/date fields, and new terms would need
  our own context): provider, date and statement codes go into `description` and
  `narrative`; `genre` is "Assessment".
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from issuer.errors import CredentialBuildError, FrameworkError
from issuer.frameworks import Framework, FrameworkUrls, Level, LevelPolicy
from issuer.identity import hash_identity, normalize_email
from issuer.models import (
    Achievement, AchievementCredential, AchievementSubject, Alignment, BitstringStatusListEntry, Criteria,
    CredentialSchema, Evidence, IdentityObject, Image, Profile, RelatedResource, Result, ResultDescription,
    RubricCriterionLevel, format_datetime_z,
)
from issuer.schema import validate_ob_credential

ONET_SUMMARY = "https://www.onetonline.org/link/summary/"


@dataclass(frozen=True)
class IssuerProfile:
    id: str
    name: str
    url: str | None = None
    image: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Recipient:
    name: str | None
    did: str | None = None
    email: str | None = None
    salt: str | None = None
    account: str | None = None
    """A provider's account of the learner, `homePage#name` (xAPI `actor.account`), hashed as an
    `accountId` identity when there is neither DID nor email."""


@dataclass(frozen=True)
class EvidenceItem:
    id: str | None
    name: str
    description: str | None
    narrative: str | None
    provider_name: str | None
    statements: tuple[str, ...]
    assessed_at: datetime | None


@dataclass(frozen=True)
class ProviderProfile:
    id: str
    name: str
    url: str | None = None


# --- the Achievement -------------------------------------------------------------------
def _statement_alignments(fw: Framework, level: Level, urls: FrameworkUrls) -> list[Alignment]:
    return [
        Alignment(target_name=s.text, target_url=urls.statement(fw, s.code), target_code=s.code,
                  target_description=f"{level.label} statement {s.position} of {len(level.statements)}",
                  target_framework=fw.label, target_type="CFItem")
        for s in level.statements
    ]


def achievement_alignments(fw: Framework, level: Level, urls: FrameworkUrls) -> list[Alignment]:
    """O*NET occupation, the level (CFRubricCriterionLevel), then each statement (CFItem)."""
    occupation = Alignment(target_name=fw.title, target_url=ONET_SUMMARY + fw.code, target_code=fw.code,
                           target_framework="O*NET-SOC", target_type="ext:OnetSocOccupation")
    level_alignment = Alignment(target_name=level.label, target_url=urls.level(fw, level.key),
                                target_code=f"L{level.rank}", target_framework=fw.label,
                                target_description=f"Level {level.rank} of {len(fw.levels)}",
                                target_type="CFRubricCriterionLevel")
    return [occupation, level_alignment, *_statement_alignments(fw, level, urls)]


def _required(fw: Framework, level: Level, policy: LevelPolicy) -> str:
    need, total = policy.required_count(fw, level.key), len(level.statements)
    return f"all {total}" if need == total else f"{need} of the {total}"


def rubric(fw: Framework, level: Level, urls: FrameworkUrls, policy: LevelPolicy) -> ResultDescription:
    """The ResultDescription: the four levels, lowest first (OB#resultdescription)."""
    levels = [
        RubricCriterionLevel(id=urls.level(fw, lv.key), name=lv.label, level=str(lv.rank),
                             description=f"Passing evidence for {_required(fw, lv, policy)} {lv.label}-level statements.")
        for lv in fw.levels
    ]
    return ResultDescription(id=urls.rubric(fw), name=f"{fw.label} level", result_type="RubricCriterionLevel",
                             required_level=urls.level(fw, level.key), rubric_criterion_level=levels)


def achievement_model(fw: Framework, level_key: str, urls: FrameworkUrls, policy: LevelPolicy | None = None,
                      *, image: str | None = None) -> Achievement:
    """The Achievement model for one (framework version, level)."""
    policy = policy or fw.policy
    level = fw.level(level_key)
    required = _required(fw, level, policy)
    statements = "\n".join(f"- **{s.code}** {s.text}" for s in level.statements)
    name = f"{fw.achievement_name}: {level.label}"
    return Achievement(
        id=urls.achievement(fw, level.key), achievement_type="Competency", name=name,
        description=(f"Holder demonstrated {required} {level.label}-level statements of the {fw.label} "
                     f"(O*NET-SOC {fw.code})."),
        criteria=Criteria(id=urls.level(fw, level.key), narrative=(
            f"Assessed by an approved training provider as meeting {required} {level.label}-level "
            f"statements of the {fw.label}:\n\n{statements}")),
        image=Image(id=image, caption=name) if image else None,
        version=fw.version, human_code=f"{fw.human_code_prefix}-L{level.rank}",
        tag=[fw.title, fw.code, fw.version, level.label],
        alignment=achievement_alignments(fw, level, urls),
        result_description=[rubric(fw, level, urls, policy)],
    )


def build_achievement(framework: Framework, level: str, urls: FrameworkUrls, policy: LevelPolicy | None = None,
                      *, image: str | None = None) -> dict[str, Any]:
    """The Achievement JSON for one (framework version, level), e.g. for a public page."""
    try:
        return achievement_model(framework, level, urls, policy, image=image).to_json()
    except FrameworkError as exc:
        raise CredentialBuildError(str(exc), code=exc.code, path=("credentialSubject", "achievement")) from exc


# --- subject, evidence, source ---------------------------------------------------------------
def identities(recipient: Recipient) -> tuple[str | None, list[IdentityObject]]:
    """(subject id, identifier[]) for a recipient: DID, else hashed normalized email, else hashed
    account (`accountId`); plus name."""
    out: list[IdentityObject] = []
    subject_id = recipient.did
    if subject_id is not None and not subject_id.startswith("did:"):
        raise CredentialBuildError("recipient DID must start with 'did:'", code="recipient_invalid",
                                   path=("credentialSubject", "id"))
    if subject_id is None:
        if not recipient.email and not recipient.account:
            raise CredentialBuildError("recipient needs a DID, an email or an account", code="recipient_invalid",
                                       path=("credentialSubject",))
        salt = recipient.salt if recipient.salt is not None else secrets.token_hex(16)
        if recipient.email:
            out.append(IdentityObject(hashed=True, identity_type="emailAddress", salt=salt,
                                      identity_hash=hash_identity(normalize_email(recipient.email), salt)))
        else:
            out.append(IdentityObject(hashed=True, identity_type="accountId", salt=salt,
                                      identity_hash=hash_identity(recipient.account, salt)))
    if recipient.name and recipient.name.strip():
        out.append(IdentityObject(hashed=False, identity_hash=recipient.name.strip(), identity_type="name"))
    return subject_id, out


def evidence_entry(fw: Framework, item: EvidenceItem, index: int) -> Evidence:
    """One Evidence: provider, date and statement codes in description/narrative."""
    for code in item.statements:
        if code not in {s.code for s in fw.statements}:
            raise CredentialBuildError(f"evidence {index}: unknown statement {code!r} in {fw.code} {fw.version}",
                                       code="statement_unknown", path=("evidence", index))
    by = f" by {item.provider_name}" if item.provider_name else ""
    on = f" on {format_datetime_z(_aware(item.assessed_at, ('evidence', index)))}" if item.assessed_at else ""
    lines = [item.narrative] if item.narrative else []
    if by or on:
        lines.append(f"Assessed{by}{on}.")
    if item.statements:
        lines.append(f"Statements demonstrated ({fw.version}): {', '.join(sorted(item.statements))}.")
    return Evidence(id=item.id, name=item.name, description=item.description or f"Assessment{by}{on}.",
                    narrative="\n\n".join(lines) or None, genre="Assessment")


def choose_source(evidence: Sequence[EvidenceItem], sources: Sequence[ProviderProfile]) -> ProviderProfile | None:
    """The provider of the latest evidence (matched by name), else the first source."""
    by_name = {p.name: p for p in sources}
    dated = [e for e in evidence if e.assessed_at and e.provider_name in by_name]
    if dated:
        return by_name[max(dated, key=lambda e: _aware(e.assessed_at, ("evidence",))).provider_name]
    return sources[0] if sources else None


# --- the credential ----------------------------------------------------------------------
def _aware(value: datetime, path: tuple[str | int, ...]) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise CredentialBuildError("datetimes must be timezone-aware (UTC)", code="datetime_naive", path=path)
    return value


def _status(entry: dict | None) -> BitstringStatusListEntry | None:
    if entry is None:
        return None
    try:
        return BitstringStatusListEntry.model_validate(entry)
    except ValidationError as exc:
        loc = tuple(exc.errors()[0]["loc"])
        raise CredentialBuildError(f"credentialStatus: {exc.errors()[0]['msg']}", code="status_entry_invalid",
                                   path=("credentialStatus", *loc)) from exc


def _check(document: dict[str, Any]) -> dict[str, Any]:
    violations = validate_ob_credential(document)
    if violations:
        first = violations[0]
        detail = "; ".join(f"{v.path}: {v.message}" for v in violations[:5])
        path = tuple(int(p) if p.isdigit() else p for p in first.path.strip("/").split("/") if p)
        raise CredentialBuildError(f"built credential is not valid OB 3.0: {detail}", path=path)
    return document


def build_achievement_credential(
    *, framework: Framework, level: str, urls: FrameworkUrls, issuer: IssuerProfile, recipient: Recipient,
    credential_id: str, valid_from: datetime, valid_until: datetime | None = None,
    awarded_date: datetime | None = None, evidence: Sequence[EvidenceItem] = (),
    sources: Sequence[ProviderProfile] = (), status_entry: dict | None = None, image: str | None = None,
) -> dict[str, Any]:
    """An unsigned OB 3.0 AchievementCredential for `recipient` reaching `level` (validated)."""
    fw = framework
    try:
        achievement = achievement_model(fw, level, urls, image=image)
    except FrameworkError as exc:
        raise CredentialBuildError(str(exc), code=exc.code, path=("credentialSubject", "achievement")) from exc
    reached = fw.level(level)
    subject_id, identifier = identities(recipient)
    source = choose_source(evidence, sources)
    try:
        credential = AchievementCredential(
            id=credential_id,
            name=f"{fw.achievement_name} — {reached.label} ({fw.version})",
            description=(f"{fw.achievement_name} competency at the {reached.label} level, assessed against "
                         f"the {fw.label}."),
            issuer=Profile(id=issuer.id, name=issuer.name, url=issuer.url, email=issuer.email,
                           image=Image(id=issuer.image) if issuer.image else None),
            valid_from=_aware(valid_from, ("validFrom",)),
            valid_until=_aware(valid_until, ("validUntil",)) if valid_until else None,
            awarded_date=_aware(awarded_date, ("awardedDate",)) if awarded_date else None,
            credential_subject=AchievementSubject(
                id=subject_id, identifier=identifier, achievement=achievement,
                result=[Result(result_description=urls.rubric(fw), achieved_level=urls.level(fw, reached.key))],
                source=Profile(id=source.id, name=source.name, url=source.url) if source else None),
            evidence=[evidence_entry(fw, item, i) for i, item in enumerate(evidence)],
            related_resource=[RelatedResource(id=urls.document(fw), digest_sri=fw.digest_sri,
                                              media_type="application/json")],
            credential_schema=[CredentialSchema()],
            credential_status=_status(status_entry),
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        raise CredentialBuildError(f"credential: {err['msg']}", path=tuple(err["loc"])) from exc
    return _check(credential.to_json())
