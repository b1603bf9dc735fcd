"""The learner's collection: every credential they hold and their progress toward the next level.

`learner_collection(session, registry, learner_id)` reads the learner's credentials (all
providers, all framework versions) and, per framework version they have evidence in, the
levels awarded, the next level, which of its statements are demonstrated (by which provider
and assessment, from the append-only evidence rows) and which remain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from issuer.errors import IssuerError
from issuer.frameworks import FrameworkRegistry
from issuer.frameworks.models import Framework, Level, Statement
from pipeline.store.models import Award, Credential, Evidence, Provider


@dataclass(frozen=True)
class Demonstration:
    provider: str
    assessment: str
    assessment_url: str | None
    assessed_at: datetime


@dataclass
class FrameworkProgress:
    framework: Framework
    awarded: list[Level]
    next_level: Level | None
    demonstrated: list[tuple[Statement, list[Demonstration]]] = field(default_factory=list)
    remaining: list[Statement] = field(default_factory=list)


@dataclass
class LearnerCollectionView:
    credentials: list[Credential]
    progress: list[FrameworkProgress]
    unknown_frameworks: list[tuple[str, str]]
    """Framework versions with evidence that the registry no longer holds."""


def learner_credentials(session: Session, learner_id: int) -> list[Credential]:
    """Every credential of the learner, newest first, with its award loaded."""
    query = (select(Credential).join(Award, Credential.award_id == Award.id).where(Award.learner_id == learner_id,
                                                                          Credential.derived_from.is_(None))
             .options(selectinload(Credential.award)).order_by(Credential.issued_at.desc(), Credential.id))
    return list(session.scalars(query))


def _passes(session: Session, learner_id: int) -> dict[tuple[str, str], dict[str, list[Demonstration]]]:
    query = (select(Evidence, Provider.name).join(Provider, Evidence.provider_id == Provider.id)
             .where(Evidence.learner_id == learner_id, Evidence.passed.is_(True))
             .order_by(Evidence.assessed_at, Evidence.id))
    found: dict[tuple[str, str], dict[str, list[Demonstration]]] = {}
    for row, provider in session.execute(query):
        by_code = found.setdefault((row.framework_code, row.framework_version), {})
        by_code.setdefault(row.statement_code, []).append(
            Demonstration(provider, row.assessment_name, row.assessment_url, row.assessed_at))
    return found


def framework_progress(fw: Framework, awarded: set[str], passes: dict[str, list[Demonstration]]) -> FrameworkProgress:
    levels = [lv for lv in fw.levels if lv.key in awarded]
    nxt = next((lv for lv in fw.levels if lv.key not in awarded), None)
    progress = FrameworkProgress(framework=fw, awarded=levels, next_level=nxt)
    for statement in nxt.statements if nxt else ():
        if statement.code in passes:
            progress.demonstrated.append((statement, passes[statement.code]))
        else:
            progress.remaining.append(statement)
    return progress


def learner_collection(session: Session, registry: FrameworkRegistry, learner_id: int) -> LearnerCollectionView:
    credentials = learner_credentials(session, learner_id)
    awards: dict[tuple[str, str], set[str]] = {}
    for award in session.scalars(select(Award).where(Award.learner_id == learner_id)):
        awards.setdefault((award.framework_code, award.framework_version), set()).add(award.level)
    passes = _passes(session, learner_id)
    progress, unknown = [], []
    for key in sorted(set(passes) | set(awards)):
        try:
            fw = registry.get(*key)
        except IssuerError:
            unknown.append(key)
            continue
        progress.append(framework_progress(fw, awards.get(key, set()), passes.get(key, {})))
    progress.sort(key=lambda p: (p.framework.code, p.framework.version_key), reverse=True)
    return LearnerCollectionView(credentials=credentials, progress=progress, unknown_frameworks=unknown)
