"""The attribution a framework document's licence requires, taken from the document itself.

The publisher's export names its sources and an attribution line, e.g.

    "sources": {"onet": "v30.2 (CC BY 4.0)", "crosswalk": "https://...", "generator": "..."},
    "attribution": "© EBSCOed"

O*NET data is licensed under CC BY 4.0, which requires the credit line O*NET asks for,
a link to the licence and a link to the source. `attribution_of(framework)` turns the
document's fields into one `Attribution` every page, the CASE export and the verifier's
employer page render the same way:

1. the publisher's line (`attribution`), verbatim;
2. one `SourceCredit` per source: the O*NET source with O*NET's credit text, its
   database version and the licence parsed from the parenthesis (`CC BY 4.0` -> the
   licence deed URL); any other source named by URL links to that URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from issuer.frameworks.models import Framework

ONET_URL = "https://www.onetonline.org/"
ONET_CREDIT = ("This framework includes information from O*NET OnLine by the U.S. Department of Labor, "
               "Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0 license. "
               "O*NET® is a trademark of USDOL/ETA.")
LICENCES = {
    "CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC BY-SA 4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC0 1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
}
_VERSION_AND_LICENCE = re.compile(r"^\s*(?P<version>[^()]*?)\s*(?:\((?P<licence>[^()]+)\))?\s*$")


@dataclass(frozen=True)
class SourceCredit:
    """One source the framework draws on: its name, link, version and licence (with link)."""

    key: str
    name: str
    url: str | None
    version: str | None = None
    licence: str | None = None
    licence_url: str | None = None
    credit: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Attribution:
    """What must be shown wherever the framework is shown."""

    line: str | None
    sources: tuple[SourceCredit, ...]

    @property
    def licensed(self) -> tuple[SourceCredit, ...]:
        """The sources that carry a licence (those whose terms require the credit)."""
        return tuple(s for s in self.sources if s.licence)

    def text(self) -> str:
        """One plain-text paragraph: the line, then each licensed source's credit and licence."""
        parts = [self.line] if self.line else []
        for source in self.licensed:
            parts.append(source.credit or f"Includes {source.name} data used under {source.licence}.")
            if source.url:
                parts.append(f"Source: {source.name}{f' {source.version}' if source.version else ''} <{source.url}>.")
            parts.append(f"Licence: {source.licence} <{source.licence_url}>." if source.licence_url
                         else f"Licence: {source.licence}.")
        return " ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "sources": [s.as_dict() for s in self.sources], "text": self.text()}


def _onet(value: str) -> SourceCredit:
    match = _VERSION_AND_LICENCE.match(value)
    version = (match["version"] or None) if match else None
    licence = (match["licence"].strip() if match and match["licence"] else None)
    return SourceCredit(key="onet", name="O*NET OnLine (USDOL/ETA)", url=ONET_URL,
                        version=f"O*NET {version}" if version else None, licence=licence,
                        licence_url=LICENCES.get(licence or ""), credit=ONET_CREDIT if licence else None)


def _other(key: str, value: Any) -> SourceCredit:
    text = str(value)
    url = text if text.startswith(("https://", "http://")) else None
    match = _VERSION_AND_LICENCE.match(text)
    licence = match["licence"].strip() if match and match["licence"] and not url else None
    return SourceCredit(key=key, name=key if url or licence else f"{key}: {text}", url=url,
                        licence=licence, licence_url=LICENCES.get(licence or ""))


def attribution_of(framework: Framework) -> Attribution:
    """The attribution of `framework` (from its document's `attribution` and `sources`)."""
    sources = framework.document.sources or {}
    credits = tuple(_onet(str(v)) if k.lower() == "onet" else _other(k, v) for k, v in sources.items())
    return Attribution(line=framework.document.attribution, sources=credits)
