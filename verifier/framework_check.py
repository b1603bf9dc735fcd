"""The `framework` check: which competency framework version an Open Badge was assessed against.

An achievement cites its framework version through `relatedResource` (VCDM 2.0 §5.3):
the framework document URL `.../frameworks/{code}/{version}.json` with its `digestSRI`.
When this deployment holds that version, the check says so, compares the pinned digest
with the document it holds, and names any newer version. A credential that cites no
framework gets no `framework` check; one citing a version not held here is cannot-check.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from issuer import problems as P
from issuer.errors import UnknownFrameworkError
from issuer.frameworks import FrameworkRegistry
from issuer.problems import CheckResult, Outcome, Problem
from issuer.verify import is_open_badge

NAME = "framework"
FRAMEWORK_DOCUMENT = re.compile(r"/frameworks/([^/?#]+)/([^/?#]+)\.json$")


def cited_framework(credential: dict[str, Any]) -> tuple[int, str, str, Any] | None:
    """(index, code, version, digestSRI) of the first relatedResource naming a framework document."""
    resources = credential.get("relatedResource")
    resources = resources if isinstance(resources, list) else [resources] if isinstance(resources, dict) else []
    for index, resource in enumerate(resources):
        match = FRAMEWORK_DOCUMENT.search(resource.get("id", "")) if isinstance(resource, dict) and isinstance(
            resource.get("id"), str) else None
        if match:
            return index, unquote(match[1]), unquote(match[2]), resource.get("digestSRI")
    return None


def check_framework(credential: dict[str, Any], registry: FrameworkRegistry) -> CheckResult | None:
    """Framework version, pinned digest and newer versions (None when no framework is cited)."""
    if not is_open_badge(credential):
        return None
    cited = cited_framework(credential)
    if cited is None:
        return None
    index, code, version, digest = cited
    try:
        framework = registry.get(code, version)
    except UnknownFrameworkError:
        known = registry.versions(code)
        detail = (f"The credential cites framework {code} version {version}, which this verifier does not hold"
                  + (f" (it holds {', '.join(known)})." if known else "."))
        return CheckResult(NAME, Outcome.CANNOT_CHECK, detail, details={"code": code, "version": version})
    newer = [f.version for f in registry.newer_than(framework)]
    details = {"code": code, "version": version, "label": framework.label, "title": framework.title,
               "digestMatches": digest == framework.digest_sri, "newerVersions": newer}
    if digest != framework.digest_sri:
        detail = (f"The credential pins the {framework.label} {version} with a digest that does not match the "
                  f"published document: it was not assessed against the framework this verifier knows.")
        return CheckResult(NAME, Outcome.FAIL, detail,
                           [Problem(P.MALFORMED_VALUE_ERROR, "framework_digest_mismatch", "Framework digest mismatch",
                                    detail, f"/relatedResource/{index}/digestSRI")], details)
    named = framework.label if version in framework.label else f"{framework.label}, version {version}"
    summary = f"Assessed against the {named} (digest matches)."
    summary += f" A newer version exists: {', '.join(newer)}." if newer else " This is the latest version."
    return CheckResult(NAME, Outcome.PASS, summary, details=details)
