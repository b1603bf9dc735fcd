"""The `framework` check: which competency framework version an Open Badge was assessed against.

An achievement cites its framework version through `relatedResource` (VCDM 2.0 §5.3):
the framework document URL `.../frameworks/{code}/{version}.json` with its `digestSRI`.

1. Find the version: in the registry this verifier was given (inside the issuing service:
   the service's own stored versions), else, with a fetcher (standalone), the published
   document at the cited URL, through the guarded fetcher, accepted only when its bytes
   match the pinned digest.
2. Compare the pinned digest with the document; name the current version ("assessed
   against v.26.05; v.26.11 is current"): from the registry, and (when the registry
   knows no newer one and a fetcher is given) from the publisher's
   `.../frameworks/{code}/versions.json` beside the document.
3. Report the attribution and licence the framework's sources require (the employer page
   shows them with links).

A credential that cites no framework gets no `framework` check; one whose version can
be found neither way is cannot-check.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from issuer import problems as P
from issuer.errors import IssuerError, UnknownFrameworkError
from issuer.frameworks import Framework, FrameworkRegistry, load_framework, version_key
from issuer.problems import CheckResult, Outcome, Problem
from issuer.verify import is_open_badge
from verifier.errors import FetchError
from verifier.resolvers import Fetcher

NAME = "framework"
FRAMEWORK_DOCUMENT = re.compile(r"/frameworks/([^/?#]+)/([^/?#]+)\.json$")


def cited_framework(credential: dict[str, Any]) -> tuple[int, str, str, Any, str] | None:
    """(index, code, version, digestSRI, url) of the first relatedResource naming a framework document."""
    resources = credential.get("relatedResource")
    resources = resources if isinstance(resources, list) else [resources] if isinstance(resources, dict) else []
    for index, resource in enumerate(resources):
        match = FRAMEWORK_DOCUMENT.search(resource.get("id", "")) if isinstance(resource, dict) and isinstance(
            resource.get("id"), str) else None
        if match:
            return index, unquote(match[1]), unquote(match[2]), resource.get("digestSRI"), resource["id"]
    return None


def _published(fetcher: Fetcher, url: str, digest: Any) -> Framework | None:
    """The framework document at `url`, when its bytes match the pinned `digest`."""
    try:
        raw = fetcher.fetch(url, accept="application/json")
        framework = load_framework(raw, source=url)
    except (FetchError, IssuerError):
        return None
    return framework if framework.digest_sri == digest else None


def _published_versions(fetcher: Fetcher, url: str, version: str) -> tuple[str | None, list[str]]:
    """(current version, versions newer than `version`) from the publisher's versions.json."""
    index_url = url[: url.rfind("/")] + "/versions.json"
    try:
        data = json.loads(fetcher.fetch(index_url, accept="application/json"))
        listed = [str(v["version"]) for v in data["versions"]]
        current = str(data.get("current") or max(listed, key=version_key))
    except (FetchError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None, []
    return current, sorted((v for v in listed if version_key(v) > version_key(version)), key=version_key)


def check_framework(credential: dict[str, Any], registry: FrameworkRegistry,
                    fetcher: Fetcher | None = None) -> CheckResult | None:
    """Framework version, pinned digest, current version and attribution (None when none is cited)."""
    if not is_open_badge(credential):
        return None
    cited = cited_framework(credential)
    if cited is None:
        return None
    index, code, version, digest, url = cited
    source = "held"
    try:
        framework = registry.get(code, version)
        newer = [f.version for f in registry.newer_than(framework)]
        current = registry.latest(code).version
        if not newer and fetcher is not None:  # the publisher may have published newer versions since
            published_current, published_newer = _published_versions(fetcher, url, version)
            if published_newer:
                current, newer = published_current, published_newer
    except UnknownFrameworkError:
        framework = _published(fetcher, url, digest) if fetcher is not None else None
        if framework is None or framework.key != (code, version):
            known = registry.versions(code)
            detail = (f"The credential cites framework {code} version {version}, which this verifier does not hold"
                      + (f" (it holds {', '.join(known)})" if known else "")
                      + (" and whose published document could not be read or does not match the pinned digest."
                         if fetcher is not None else "."))
            return CheckResult(NAME, Outcome.CANNOT_CHECK, detail, details={"code": code, "version": version})
        source = "published"
        current, newer = _published_versions(fetcher, url, version)
    details = {"code": code, "version": version, "label": framework.label, "title": framework.title,
               "digestMatches": digest == framework.digest_sri, "newerVersions": newer, "currentVersion": current,
               "source": source, "attribution": framework.attribution.as_dict()}
    if digest != framework.digest_sri:
        detail = (f"The credential pins the {framework.label} {version} with a digest that does not match the "
                  f"published document: it was not assessed against the framework this verifier knows.")
        return CheckResult(NAME, Outcome.FAIL, detail,
                           [Problem(P.MALFORMED_VALUE_ERROR, "framework_digest_mismatch", "Framework digest mismatch",
                                    detail, f"/relatedResource/{index}/digestSRI")], details)
    named = framework.label if version in framework.label else f"{framework.label}, version {version}"
    summary = f"Assessed against the {named} (digest matches)."
    if newer and current:
        summary += f" Assessed against {version}; {current} is current."
    elif current in (None, version):
        summary += " This is the latest version." if current else ""
    return CheckResult(NAME, Outcome.PASS, summary, details=details)
