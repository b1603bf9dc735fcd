"""Evidence across framework versions, only through a published crosswalk (issue 14).

The level computation of version B counts, besides B's own passes, the passes a learner
has in an older version A for the statements a crosswalk A -> B maps as `same`
(`issuer.frameworks.crosswalk`). Nothing else crosses versions.

1. `passed_with_carried`: B's passed statement codes plus the B codes whose `same`
   statement in A has a pass.
2. `with_carried_evidence`: for a level being awarded, the evidence items of the carried
   passes (only for statements B's own evidence does not cover). Each says, in its
   narrative, which statement of which version it was recorded against and which B
   statement it counts for, so an employer can see the level rests partly on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy.orm import Session

from issuer.credentials import EvidenceItem, ProviderProfile
from issuer.frameworks.crosswalk import Crosswalk
from issuer.frameworks.models import Framework
from issuer.frameworks.registry import FrameworkRegistry
from pipeline.store.evidence import passed_statement_codes, passing_evidence
from pipeline.store.models import Evidence


def passed_with_carried(session: Session, registry: FrameworkRegistry | None, framework: Framework,
                        learner_id: int, passed: set[str] | None = None) -> set[str]:
    """Statement codes of `framework` the learner passed, directly (`passed`, when the caller
    has read them already) or through a `same` mapping."""
    if passed is None:
        passed = passed_statement_codes(session, learner_id=learner_id, framework_code=framework.code,
                                        framework_version=framework.version)
    passed = set(passed)
    for walk in registry.crosswalks_into(framework) if registry is not None else ():
        theirs = passed_statement_codes(session, learner_id=learner_id, framework_code=walk.from_key[0],
                                        framework_version=walk.from_key[1])
        passed |= {to for to, source in walk.carried().items() if source in theirs}
    return passed


def _narrative(walk: Crosswalk, framework: Framework, mapping: dict[str, str], statements: Sequence[str]) -> str:
    pairs = "; ".join(f"{walk.from_key[1]} {source} counts as {framework.version} {mapping[source]}"
                      for source in sorted(statements))
    return (f"Carried over from framework version {walk.from_key[1]} ({walk.from_key[0]}) through the published "
            f"crosswalk, which maps these statements as the same: {pairs}.")


def _carried_items(session: Session, evidence_items, walk: Crosswalk, framework: Framework,
                   mapping: dict[str, str], learner_id: int) -> tuple[list[EvidenceItem], list[ProviderProfile]]:
    rows: list[Evidence] = passing_evidence(session, learner_id=learner_id, framework_code=walk.from_key[0],
                                            framework_version=walk.from_key[1], statements=list(mapping))
    if not rows:
        return [], []
    items, sources = evidence_items(session, rows)
    return [replace(item, statements=tuple(sorted(mapping[c] for c in item.statements)),
                    narrative=_narrative(walk, framework, mapping, item.statements)) for item in items], sources


def with_carried_evidence(
    session: Session, registry: FrameworkRegistry | None, framework: Framework, learner_id: int, level: str,
    own_rows: Sequence[Evidence], items: list[EvidenceItem], sources: list[ProviderProfile], evidence_items,
) -> tuple[list[EvidenceItem], list[ProviderProfile]]:
    """`items` and `sources` plus the carried-over evidence of `level`'s statements not covered
    by `own_rows` (`evidence_items` is the function that groups rows into items)."""
    if registry is None:
        return items, sources
    missing = set(framework.level(level).codes) - {r.statement_code for r in own_rows}
    for walk in registry.crosswalks_into(framework):
        mapping = {source: to for to, source in walk.carried().items() if to in missing}
        if not mapping:
            continue
        extra, extra_sources = _carried_items(session, evidence_items, walk, framework, mapping, learner_id)
        items = [*items, *extra]
        sources = [*sources, *(s for s in extra_sources if s.id not in {p.id for p in sources})]
        missing -= {code for item in extra for code in item.statements}
    return items, sources
