"""Framework versions are data added at run time (issue 14): the use cases and the live registry.

`badgeline frameworks add`, `POST /admin/frameworks` and `badgeline frameworks retire` call
these; every web process and worker reads the result through a `LiveRegistry`.

Adding (`add_framework_version`), all or nothing:

1. the optional expected SHA-256 must be the digest of the document bytes;
2. the document (and its policy) are validated by `issuer` (every problem with its JSON
   path) and the policy must fit the document (`minStatements`, `requiredStatements`);
3. a candidate registry (what is stored, plus this version) takes every crosswalk, which
   must name held versions and existing statements;
4. one transaction stores the exact bytes and digests: the same bytes again change
   nothing, different bytes under a published (occupation, version) are a conflict (409).

`LiveRegistry` is a `FrameworkRegistry` built from the stored bytes; `refresh()` compares
the store's stamp (`registry_stamp`: one small query) with the one it was built from and
rebuilds only when it changed (parsed versions are reused by digest). The web process
refreshes before each request and the worker before each task, at most once per
`REFRESH_INTERVAL_S`; a lookup of a version it does not hold checks the store at once. So a
version added by any process on any machine is used at once and a retirement within a
second, without a restart.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from issuer.errors import FrameworkError, UnknownFrameworkError
from issuer.frameworks.crosswalk import Crosswalk, parse_crosswalk
from issuer.frameworks.loader import load_framework
from issuer.frameworks.models import Framework
from issuer.frameworks.registry import FrameworkRegistry
from pipeline.errors import PipelineError
from pipeline.store.engine import is_transient
from pipeline.store.framework_documents import (
    ADDED,
    insert_crosswalk,
    insert_document,
    registry_stamp,
    retire_document,
    stored_crosswalks,
    stored_documents,
)
from pipeline.store.models import FrameworkDocument

log = logging.getLogger(__name__)

RETIRED = "framework_version_retired"
REFRESH_INTERVAL_S = 1.0
"""How stale a process's view may be: it asks the store for changes at most this often (a
version it does not hold is looked up at once; a retirement shows within this time)."""


class FrameworkRefused(PipelineError):
    """A framework document, policy or crosswalk that cannot be published (HTTP 422); `errors`
    lists every problem as `{"path", "message"}`."""

    code = "framework_invalid"

    def __init__(self, message: str, *, code: str, errors: list[dict[str, str]]):
        super().__init__(message, code=code, path=errors[0]["path"] if errors else "")
        self.errors = errors

    @classmethod
    def of(cls, error: FrameworkError, prefix: str = "") -> FrameworkRefused:
        errors = [{"path": prefix + e["path"], "message": e["message"]} for e in error.problem_list()]
        return cls(error.message, code=error.code, errors=errors)


@dataclass(frozen=True)
class Added:
    """What `add_framework_version` did: the version, and whether anything was stored."""

    framework: Framework
    document: str
    crosswalks: tuple[tuple[Crosswalk, str], ...] = ()

    @property
    def changed(self) -> bool:
        return self.document == ADDED or any(state == ADDED for _, state in self.crosswalks)


# --- building registries from stored bytes --------------------------------------------------
def registry_of(documents: Sequence[FrameworkDocument], crosswalks: Sequence, *,
                parsed: dict[str, Framework] | None = None) -> FrameworkRegistry:
    """A registry of the stored rows; `parsed` (digest -> Framework) is reused and updated."""
    cache = parsed if parsed is not None else {}
    registry = FrameworkRegistry()
    for row in documents:
        key = f"{row.sha256}:{hashlib.sha256(bytes(row.policy or b'')).hexdigest()}"
        if key not in cache:
            cache[key] = load_framework(bytes(row.document), policy=bytes(row.policy) if row.policy else None,
                                        source=f"{row.occupation_code} {row.version}")
        registry.add(cache[key])
        if row.retired_at is not None:
            registry.retire(row.occupation_code, row.version)
    for row in crosswalks:
        registry.add_crosswalk(parse_crosswalk(bytes(row.document)))
    return registry


def load_registry(session: Session) -> FrameworkRegistry:
    return registry_of(stored_documents(session), stored_crosswalks(session))


class LiveRegistry(FrameworkRegistry):
    """The stored framework versions, reloaded when the store's stamp changes.

    The stamp is read at most once per `min_interval_s` (a query per request would cost more
    than the pages it guards); a lookup of a version not held forces a check at once, so an
    event naming a version added a moment ago elsewhere is never refused for being unknown."""

    def __init__(self, sessions: sessionmaker[Session], *, min_interval_s: float = REFRESH_INTERVAL_S,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._sessions, self._min_interval_s, self._monotonic = sessions, min_interval_s, monotonic
        self._stamp: tuple | None = None
        self._checked_at: float | None = None
        self._parsed: dict[str, Framework] = {}
        self._lock = threading.Lock()
        try:
            self.refresh(force=True)
        except Exception as error:  # noqa: BLE001 - a store down at start-up: serve, report, retry
            if not is_transient(error):
                raise
            log.warning("framework registry: store unavailable (%s); holding the bundled versions until it answers",
                        error)
            self._fall_back()

    def _fall_back(self) -> None:
        """Hold the bundled versions (what migration 0009 seeds) until the store answers."""
        self._checked_at = None
        if not self._items:
            bundled = FrameworkRegistry.bundled()
            self._items, self._crosswalks, self._retired = bundled._items, bundled._crosswalks, bundled._retired

    def refresh(self, *, force: bool = False) -> bool:
        """Reload when something was added or retired since the last load; True if reloaded.
        Without `force`, the store is asked at most once per `min_interval_s`. A store not
        migrated yet holds the bundled versions (what migration 0009 seeds)."""
        now = self._monotonic()
        if not force and self._checked_at is not None and now - self._checked_at < self._min_interval_s:
            return False
        self._checked_at = now
        with self._sessions() as session:
            try:
                stamp = registry_stamp(session)
            except (OperationalError, ProgrammingError) as error:
                if not _missing_table(error):
                    raise
                session.rollback()
                self._fall_back()
                return False
            if stamp == self._stamp:
                return False
            with self._lock:
                fresh = registry_of(stored_documents(session), stored_crosswalks(session), parsed=self._parsed)
                self._items, self._crosswalks, self._retired = fresh._items, fresh._crosswalks, fresh._retired
                self._stamp = stamp
        return True

    def get(self, code: str, version: str) -> Framework:
        """As `FrameworkRegistry.get`; a version not held forces a check of the store first."""
        try:
            return super().get(code, version)
        except UnknownFrameworkError:
            if not self.refresh(force=True):
                raise
            return super().get(code, version)


def _missing_table(error: Exception) -> bool:
    """The store has no `framework_documents` table yet (not migrated): SQLite or PostgreSQL."""
    orig = getattr(error, "orig", None)
    return getattr(orig, "sqlstate", None) == "42P01" or "no such table" in str(orig or error)


def refresh_registry(registry: FrameworkRegistry, *, force: bool = False) -> None:
    """Refresh `registry` when it is a `LiveRegistry` (a fixed registry given by a test stays).
    A store that cannot answer right now leaves the registry as it was (health reports it)."""
    if isinstance(registry, LiveRegistry):
        try:
            registry.refresh(force=force)
        except Exception as error:  # noqa: BLE001 - only transient store errors are tolerated
            if not is_transient(error):
                raise
            log.warning("framework registry not refreshed: %s", error)


# --- the use cases -----------------------------------------------------------------------------
def _validated(document: bytes, policy: bytes | None, expected_sha256: str | None, source: str) -> Framework:
    digest = hashlib.sha256(document).hexdigest()
    if expected_sha256 is not None and expected_sha256.strip().lower().removeprefix("sha256:") != digest:
        raise FrameworkRefused(f"{source}: the document's SHA-256 is {digest}, not the expected {expected_sha256}",
                               code="framework_digest_mismatch",
                               errors=[{"path": "/sha256", "message": f"expected {expected_sha256}, got {digest}"}])
    try:
        return load_framework(document, policy=policy, source=source)
    except FrameworkError as error:
        prefix = "/policy" if error.code == "policy_invalid" else "/document"
        raise FrameworkRefused.of(error, prefix) from error


def _candidate_crosswalks(registry: FrameworkRegistry, crosswalks: Sequence[bytes]) -> list[Crosswalk]:
    parsed = []
    for index, raw in enumerate(crosswalks):
        source = f"crosswalk {index + 1}"
        try:
            crosswalk = parse_crosswalk(raw, source=source)
            registry.add_crosswalk(crosswalk, source=source)
        except FrameworkError as error:
            raise FrameworkRefused.of(error, f"/crosswalks/{index}") from error
        parsed.append(crosswalk)
    return parsed


def add_framework_version(sessions: sessionmaker[Session], *, document: bytes | None, policy: bytes | None = None,
                          crosswalks: Sequence[bytes] = (), expected_sha256: str | None = None, now: datetime,
                          source: str = "framework") -> Added:
    """Validate, then store the version (if `document`) and crosswalks in one transaction."""
    with sessions.begin() as session:
        candidate = load_registry(session)
        framework = _validated(document, policy, expected_sha256, source) if document is not None else None
        if framework is not None:
            if framework.key not in candidate:
                candidate.add(framework)
        walks = _candidate_crosswalks(candidate, crosswalks)
        state = "none"
        if framework is not None:
            state = insert_document(session, code=framework.code, version=framework.version, raw=bytes(document),
                                    sha256=framework.sha256_hex, policy=policy, now=now)
        stored = tuple((c, insert_crosswalk(session, from_key=c.from_key, to_key=c.to_key, raw=c.raw_bytes,
                                            sha256=c.sha256_hex, now=now)) for c in walks)
    shown = framework or (candidate.get(*walks[0].to_key) if walks else None)
    if shown is None:
        raise FrameworkRefused("nothing to add: give a framework document or a crosswalk", code="framework_invalid",
                               errors=[{"path": "", "message": "no document and no crosswalk"}])
    return Added(shown, state, stored)


def retire_framework_version(sessions: sessionmaker[Session], code: str, version: str, now: datetime) -> datetime:
    """Retire (code, version): events naming it are refused from now on. Returns `retired_at`."""
    with sessions.begin() as session:
        return retire_document(session, code, version, now).retired_at


def parse_framework_ref(text: str) -> tuple[str, str]:
    """`29-2052.00@v.26.05` -> ("29-2052.00", "v.26.05")."""
    code, at, version = text.partition("@")
    if not at or not code or not version:
        raise FrameworkRefused(f"write CODE@VERSION, e.g. 29-2052.00@v.26.05 (got {text!r})",
                               code="framework_ref_invalid", errors=[{"path": "", "message": "expected CODE@VERSION"}])
    return code, version
