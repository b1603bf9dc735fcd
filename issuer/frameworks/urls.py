"""Stable public URLs of a framework version (the alignment targets of credentials).

Everything lives under the issuer's public base URL, with the version in the path:

    {base}/frameworks/{soc}/{version}                      framework page
    {base}/frameworks/{soc}/{version}.json                 the exact document bytes (digest-pinned)
    {base}/frameworks/{soc}/{version}/levels/{level}       level (CASE CFRubricCriterionLevel)
    {base}/frameworks/{soc}/{version}/statements/{code}    statement (CASE CFItem)
    {base}/frameworks/{soc}/{version}/rubric               OB ResultDescription id
    {base}/frameworks/{soc}/{version}/achievements/{level} OB Achievement id
    {base}/frameworks/{soc}/{version}/achievements/{level}/image.svg  the level's badge artwork
    {base}/frameworks/{soc}/{version}/case.json            CASE CFPackage export
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote, urlsplit

from issuer.errors import FrameworkError


class _Versioned(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def version(self) -> str: ...


_SEGMENT = r"[^/?#]+"


@dataclass(frozen=True)
class StatementRef:
    """A statement URL taken apart."""

    code: str
    version: str
    statement: str


@dataclass(frozen=True)
class FrameworkUrls:
    """URL minting (and parsing) under one public base URL, e.g. `https://badges.example.org`."""

    base: str

    def __post_init__(self) -> None:
        parts = urlsplit(self.base)
        if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
            raise FrameworkError(
                f"public base URL must be an absolute http(s) URL without query or fragment: {self.base!r}",
                code="base_url_invalid",
            )
        object.__setattr__(self, "base", self.base.rstrip("/"))

    def framework(self, fw: _Versioned) -> str:
        """The framework version's page."""
        return f"{self.base}/frameworks/{quote(fw.code, safe='')}/{quote(fw.version, safe='')}"

    def document(self, fw: _Versioned) -> str:
        """URL serving the exact framework document bytes (the `relatedResource` id)."""
        return self.framework(fw) + ".json"

    def level(self, fw: _Versioned, level: str) -> str:
        return f"{self.framework(fw)}/levels/{quote(level, safe='')}"

    def statement(self, fw: _Versioned, code: str) -> str:
        return f"{self.framework(fw)}/statements/{quote(code, safe='')}"

    def rubric(self, fw: _Versioned) -> str:
        """The ResultDescription (rubric of the four levels) id."""
        return f"{self.framework(fw)}/rubric"

    def achievement(self, fw: _Versioned, level: str) -> str:
        """The Achievement id for one (framework version, level)."""
        return f"{self.framework(fw)}/achievements/{quote(level, safe='')}"

    def achievement_image(self, fw: _Versioned, level: str) -> str:
        """The badge artwork of one (framework version, level): the Achievement's `image` (OB#image)."""
        return f"{self.achievement(fw, level)}/image.svg"

    def case(self, fw: _Versioned) -> str:
        """The CASE CFPackage export."""
        return f"{self.framework(fw)}/case.json"

    def parse_statement(self, url: str) -> StatementRef | None:
        """(code, version, statement code) of one of our statement URLs, else None."""
        pattern = rf"^{re.escape(self.base)}/frameworks/({_SEGMENT})/({_SEGMENT})/statements/({_SEGMENT})$"
        match = re.match(pattern, url)
        if match is None:
            return None
        return StatementRef(code=match[1], version=match[2], statement=match[3])
