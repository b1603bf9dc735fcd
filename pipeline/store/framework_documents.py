"""Framework versions and crosswalks as stored rows: exact bytes, digest, never changed.

- `registry_stamp`: a cheap fingerprint (row counts, newest `added_at` and `retired_at`)
  that changes whenever a version or crosswalk is added or a version retired; processes
  reload their registry only when it changes.
- `insert_document` / `insert_crosswalk`: the same bytes again change nothing
  (`unchanged`); different bytes under an existing key raise `FrameworkConflict`. A
  concurrent insert of the same key is caught by the unique constraint and compared.
- `retire_document`: sets `retired_at` once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pipeline.errors import PipelineError
from pipeline.store.models import FrameworkCrosswalk, FrameworkDocument

ADDED, UNCHANGED = "added", "unchanged"


class FrameworkConflict(PipelineError):
    """Different bytes under a (occupation, version) or crosswalk already published (HTTP 409)."""

    code = "framework_conflict"


class FrameworkNotHeld(PipelineError):
    """No stored framework version of that occupation code and version (HTTP 404)."""

    code = "framework_unknown"


def registry_stamp(session: Session) -> tuple:
    """Changes whenever a document or crosswalk is added or a version retired (one query)."""
    documents, crosswalks = FrameworkDocument, FrameworkCrosswalk
    query = select(select(func.count(documents.id)).scalar_subquery(),
                   select(func.max(documents.added_at)).scalar_subquery(),
                   select(func.max(documents.retired_at)).scalar_subquery(),
                   select(func.count(crosswalks.id)).scalar_subquery(),
                   select(func.max(crosswalks.added_at)).scalar_subquery())
    return tuple(session.execute(query).one())


def stored_documents(session: Session) -> list[FrameworkDocument]:
    return list(session.scalars(select(FrameworkDocument).order_by(FrameworkDocument.id)))


def stored_crosswalks(session: Session) -> list[FrameworkCrosswalk]:
    return list(session.scalars(select(FrameworkCrosswalk).order_by(FrameworkCrosswalk.id)))


def document_row(session: Session, code: str, version: str) -> FrameworkDocument | None:
    return session.scalars(select(FrameworkDocument).where(
        FrameworkDocument.occupation_code == code, FrameworkDocument.version == version)).one_or_none()


def _same_document(row: FrameworkDocument, raw: bytes, policy: bytes | None) -> bool:
    return bytes(row.document) == raw and (policy is None or (row.policy is not None and bytes(row.policy) == policy))


def insert_document(session: Session, *, code: str, version: str, raw: bytes, sha256: str, policy: bytes | None,
                    now: datetime) -> str:
    """`added`, or `unchanged` for the same bytes (a missing policy means "as stored")."""
    held = document_row(session, code, version)
    if held is None:
        try:
            with session.begin_nested():
                session.add(FrameworkDocument(occupation_code=code, version=version, document=raw, sha256=sha256,
                                              policy=policy, added_at=now))
            return ADDED
        except IntegrityError:  # added concurrently: compare with what won
            held = document_row(session, code, version)
    if held is not None and _same_document(held, raw, policy):
        return UNCHANGED
    raise FrameworkConflict(f"{code} {version} is already published with different content "
                            f"(sha256 {held.sha256 if held else '?'}); a published version never changes: "
                            "give the new content a new version", path="/framework/version")


def insert_crosswalk(session: Session, *, from_key: tuple[str, str], to_key: tuple[str, str], raw: bytes,
                     sha256: str, now: datetime) -> str:
    """`added`, or `unchanged` for the same bytes; other bytes for the same pair conflict."""
    def held() -> FrameworkCrosswalk | None:
        return session.scalars(select(FrameworkCrosswalk).where(
            FrameworkCrosswalk.from_code == from_key[0], FrameworkCrosswalk.from_version == from_key[1],
            FrameworkCrosswalk.to_code == to_key[0], FrameworkCrosswalk.to_version == to_key[1])).one_or_none()

    row = held()
    if row is None:
        try:
            with session.begin_nested():
                session.add(FrameworkCrosswalk(from_code=from_key[0], from_version=from_key[1], to_code=to_key[0],
                                               to_version=to_key[1], document=raw, sha256=sha256, added_at=now))
            return ADDED
        except IntegrityError:
            row = held()
    if row is not None and bytes(row.document) == raw:
        return UNCHANGED
    raise FrameworkConflict(f"a different crosswalk from {from_key[1]} to {to_key[1]} is already published",
                            code="crosswalk_conflict", path="/crosswalks")


def retire_document(session: Session, code: str, version: str, now: datetime) -> FrameworkDocument:
    """Set `retired_at` (kept when already set); `FrameworkNotHeld` for an unknown version."""
    row = document_row(session, code, version)
    if row is None:
        raise FrameworkNotHeld(f"no framework {code} {version} is published here")
    if row.retired_at is None:
        row.retired_at = now
    return row
