"""The registry of framework versions held side by side.

A framework is identified by (occupation code, version), e.g. ("29-2052.00", "v.26.05").
Versions sort numerically (`v.26.05` < `v.26.11` < `v.27.01`); the newest is current. A
new version is data (bytes given to `add`), never a code change. The registry also holds
the crosswalks between versions (`add_crosswalk`, checked against both versions) and
which versions are retired (no new assessments; pages and verification stay).
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from issuer.errors import FrameworkError, UnknownFrameworkError
from issuer.frameworks.crosswalk import Crosswalk, check_crosswalk_fits
from issuer.frameworks.loader import is_framework_file, load_framework, load_framework_file, policy_path_for
from issuer.frameworks.models import Framework, version_key

_DATA = "issuer.frameworks"


class FrameworkRegistry:
    """Framework versions by (code, version)."""

    def __init__(self, frameworks: Iterable[Framework] = ()) -> None:
        self._items: dict[tuple[str, str], Framework] = {}
        self._crosswalks: dict[tuple[tuple[str, str], tuple[str, str]], Crosswalk] = {}
        self._retired: set[tuple[str, str]] = set()
        for framework in frameworks:
            self.add(framework)

    # construction -------------------------------------------------------------------
    @classmethod
    def bundled(cls) -> FrameworkRegistry:
        """The frameworks shipped as package data (`issuer/frameworks/data/`)."""
        data = resources.files(_DATA).joinpath("data")
        registry = cls()
        for entry in sorted(data.iterdir(), key=lambda e: e.name):
            path = Path(entry.name)
            if not entry.is_file() or not is_framework_file(path):
                continue
            policy_entry = data.joinpath(policy_path_for(path).name)
            policy = policy_entry.read_bytes() if policy_entry.is_file() else None
            registry.add(load_framework(entry.read_bytes(), policy=policy, source=entry.name))
        return registry

    @classmethod
    def from_directory(cls, path: str | Path) -> FrameworkRegistry:
        """Every `*.json` framework file in `path` (policy files beside them are applied)."""
        directory = Path(path)
        if not directory.is_dir():
            raise FrameworkError(f"framework directory {directory} does not exist", code="framework_unreadable")
        return cls(load_framework_file(p) for p in sorted(directory.iterdir()) if p.is_file() and is_framework_file(p))

    def add(self, framework: Framework) -> None:
        """Hold `framework`; adding a different document under an existing key is an error."""
        held = self._items.get(framework.key)
        if held is not None and held.raw_bytes != framework.raw_bytes:
            raise FrameworkError(
                f"{framework.code} {framework.version} is already held with different content",
                code="framework_conflict",
            )
        self._items[framework.key] = framework

    def add_crosswalk(self, crosswalk: Crosswalk, *, source: str = "crosswalk") -> None:
        """Hold `crosswalk`; both of its versions must be held and every code must exist."""
        from_fw, to_fw = (self._held(key, source, side) for key, side in
                          ((crosswalk.from_key, "from"), (crosswalk.to_key, "to")))
        check_crosswalk_fits(crosswalk, from_fw, to_fw, source=source)
        held = self._crosswalks.get(crosswalk.key)
        if held is not None and held.raw_bytes != crosswalk.raw_bytes:
            raise FrameworkError(f"a different crosswalk from {from_fw.version} to {to_fw.version} is already held",
                                 code="crosswalk_conflict")
        self._crosswalks[crosswalk.key] = crosswalk

    def retire(self, code: str, version: str) -> None:
        """Mark (code, version) retired: no new assessments against it."""
        self.get(code, version)
        self._retired.add((code, version))

    def _held(self, key: tuple[str, str], source: str, side: str) -> Framework:
        found = self._items.get(key)
        if found is None:
            raise FrameworkError(f"{source}: /{side}: framework {key[0]} {key[1]} is not held; add it first",
                                 code="crosswalk_invalid", path=(side,))
        return found

    # lookup ---------------------------------------------------------------------------
    def is_retired(self, code: str, version: str) -> bool:
        return (code, version) in self._retired

    def crosswalks_into(self, framework: Framework) -> list[Crosswalk]:
        """Crosswalks whose `to` is `framework`, by `from` version (oldest first)."""
        found = [c for (_, to), c in self._crosswalks.items() if to == framework.key]
        return sorted(found, key=lambda c: (c.from_key[0], version_key(c.from_key[1])))

    def crosswalk(self, from_key: tuple[str, str], to_key: tuple[str, str]) -> Crosswalk | None:
        return self._crosswalks.get((from_key, to_key))

    def crosswalks(self) -> list[Crosswalk]:
        return [self._crosswalks[k] for k in sorted(self._crosswalks)]

    def codes(self) -> list[str]:
        return sorted({code for code, _ in self._items})

    def versions(self, code: str) -> list[str]:
        """Versions held for `code`, oldest first ([] when the code is unknown)."""
        return [f.version for f in self._ordered(code)]

    def get(self, code: str, version: str) -> Framework:
        """The framework (code, version); UnknownFrameworkError lists what is known."""
        found = self._items.get((code, version))
        if found is None:
            raise UnknownFrameworkError(f"unknown framework {code} {version}; known: {self._known()}")
        return found

    def latest(self, code: str) -> Framework:
        """The newest version held for `code`."""
        ordered = self._ordered(code)
        if not ordered:
            raise UnknownFrameworkError(f"unknown framework {code}; known: {self._known()}")
        return ordered[-1]

    def all(self) -> list[Framework]:
        """Every framework, by code then version (oldest first)."""
        return [f for code in self.codes() for f in self._ordered(code)]

    def newer_than(self, framework: Framework) -> list[Framework]:
        """Versions of the same code newer than `framework`, oldest first."""
        return [f for f in self._ordered(framework.code) if f.version_key > framework.version_key]

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def _ordered(self, code: str) -> list[Framework]:
        return sorted((f for (c, _), f in self._items.items() if c == code), key=lambda f: f.version_key)

    def _known(self) -> str:
        known = [f"{f.code} {f.version}" for f in self.all()]
        return ", ".join(known) if known else "none"
