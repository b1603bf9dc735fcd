"""Export a framework version as a 1EdTech CASE 1.0 CFPackage.

Shape: a CFDocument; a CFItem per level and per statement; `isChildOf` associations
(level -> document, statement -> level); one CFRubric with one criterion and the four
levels as CFRubricCriterionLevels (lowest first). Identifiers are UUIDv5 (URL namespace)
of each object's URI, so the export is deterministic; `lastChangeDateTime` is the
publisher's `exportedAt`.
"""

from __future__ import annotations

import uuid
from typing import Any

from issuer.frameworks.models import Framework
from issuer.frameworks.urls import FrameworkUrls


def case_identifier(uri: str) -> str:
    """Deterministic CASE identifier: UUIDv5 of the URI in the URL namespace."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, uri))


def _link(title: str, uri: str) -> dict[str, str]:
    return {"title": title, "identifier": case_identifier(uri), "uri": uri}


def _stamp(framework: Framework) -> str:
    return framework.document.exported_at.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _licence_uri(framework: Framework, urls: FrameworkUrls) -> str:
    return f"{urls.framework(framework)}#licence"


def cf_licenses(framework: Framework, urls: FrameworkUrls) -> list[dict[str, Any]]:
    """One CFLicense carrying the attribution and licence the document's sources require."""
    attribution = framework.attribution
    if not attribution.line and not attribution.licensed:
        return []
    uri = _licence_uri(framework, urls)
    licensed = attribution.licensed
    title = ", ".join(dict.fromkeys(s.licence or "" for s in licensed)) or "Attribution"
    licence = {"identifier": case_identifier(uri), "uri": uri, "title": title, "licenseText": attribution.text(),
               "lastChangeDateTime": _stamp(framework)}
    links = [s.licence_url for s in licensed if s.licence_url]
    if links:
        licence["description"] = " ".join(links)
    return [licence]


def _licence_link(framework: Framework, urls: FrameworkUrls) -> dict[str, str] | None:
    licences = cf_licenses(framework, urls)
    return _link(licences[0]["title"], licences[0]["uri"]) if licences else None


def cf_document(framework: Framework, urls: FrameworkUrls) -> dict[str, Any]:
    uri = urls.framework(framework)
    doc = {
        "identifier": case_identifier(uri),
        "uri": uri,
        "creator": framework.document.attribution or framework.name,
        "title": framework.label,
        "lastChangeDateTime": _stamp(framework),
        "officialSourceURL": urls.document(framework),
        "description": framework.document.framework.context_covered or framework.document.framework.description,
        "subject": [framework.title, framework.code],
        "language": "en",
        "version": framework.version,
        "adoptionStatus": "Adopted",
        "CFPackageURI": _link(framework.label, urls.case(framework)),
    }
    if framework.document.attribution:
        doc["publisher"] = framework.document.attribution
    licence = _licence_link(framework, urls)
    if licence:
        doc["licenseURI"] = licence
        doc["notes"] = framework.attribution.text()
    return doc


def cf_items(framework: Framework, urls: FrameworkUrls) -> list[dict[str, Any]]:
    doc_link = _link(framework.label, urls.framework(framework))
    stamp = _stamp(framework)
    licence = _licence_link(framework, urls)
    extra = {"licenseURI": licence} if licence else {}
    items = []
    for level in framework.levels:
        uri = urls.level(framework, level.key)
        items.append({
            "identifier": case_identifier(uri), "uri": uri, "fullStatement": level.label,
            "humanCodingScheme": f"{framework.human_code_prefix}-L{level.rank}", "listEnumeration": str(level.rank),
            "CFItemType": "Level", "lastChangeDateTime": stamp, "CFDocumentURI": doc_link, **extra,
        })
        for statement in level.statements:
            s_uri = urls.statement(framework, statement.code)
            items.append({
                "identifier": case_identifier(s_uri), "uri": s_uri, "fullStatement": statement.text,
                "humanCodingScheme": statement.code, "listEnumeration": str(statement.position),
                "CFItemType": "Competency Statement", "lastChangeDateTime": stamp, "CFDocumentURI": doc_link,
                **extra,
            })
    return items


def _is_child_of(framework: Framework, urls: FrameworkUrls, child: tuple[str, str], parent: tuple[str, str],
                 sequence: int) -> dict[str, Any]:
    (child_title, child_uri), (parent_title, parent_uri) = child, parent
    ident = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{child_uri} isChildOf {parent_uri}"))
    return {
        "identifier": ident, "uri": f"urn:uuid:{ident}", "associationType": "isChildOf", "sequenceNumber": sequence,
        "originNodeURI": {"title": child_title, "identifier": case_identifier(child_uri), "uri": child_uri},
        "destinationNodeURI": {"title": parent_title, "identifier": case_identifier(parent_uri), "uri": parent_uri},
        "lastChangeDateTime": _stamp(framework), "CFDocumentURI": _link(framework.label, urls.framework(framework)),
    }


def cf_associations(framework: Framework, urls: FrameworkUrls) -> list[dict[str, Any]]:
    document = (framework.label, urls.framework(framework))
    out = []
    for level in framework.levels:
        level_node = (level.label, urls.level(framework, level.key))
        out.append(_is_child_of(framework, urls, level_node, document, level.rank))
        for statement in level.statements:
            node = (statement.code, urls.statement(framework, statement.code))
            out.append(_is_child_of(framework, urls, node, level_node, statement.position))
    return out


def cf_rubric(framework: Framework, urls: FrameworkUrls) -> dict[str, Any]:
    rubric_uri = urls.rubric(framework)
    criterion_uri = f"{rubric_uri}#criterion"
    stamp = _stamp(framework)
    levels = []
    for level in framework.levels:
        uri = f"{rubric_uri}#{level.key}"
        need = framework.policy.required_count(framework, level.key)
        levels.append({
            "identifier": case_identifier(uri), "uri": uri, "quality": level.label,
            "description": f"Passing evidence for {need} of the {len(level.statements)} {level.label} statements.",
            "score": float(level.rank), "position": level.rank,
            "rubricCriterionId": case_identifier(criterion_uri), "lastChangeDateTime": stamp,
        })
    criterion = {
        "identifier": case_identifier(criterion_uri), "uri": criterion_uri, "category": "Level",
        "description": f"Level reached in the {framework.label}.", "weight": 1.0, "position": 1,
        "rubricId": case_identifier(rubric_uri), "lastChangeDateTime": stamp, "CFRubricCriterionLevels": levels,
    }
    return {
        "identifier": case_identifier(rubric_uri), "uri": rubric_uri, "title": f"{framework.label} levels",
        "description": "The four levels, lowest first.", "lastChangeDateTime": stamp,
        "CFRubricCriteria": [criterion],
    }


def export_case(framework: Framework, urls: FrameworkUrls) -> dict[str, Any]:
    """The CFPackage (CASE 1.0) of one framework version."""
    package = {
        "CFDocument": cf_document(framework, urls),
        "CFItems": cf_items(framework, urls),
        "CFAssociations": cf_associations(framework, urls),
        "CFRubrics": [cf_rubric(framework, urls)],
    }
    licences = cf_licenses(framework, urls)
    if licences:
        package["CFDefinitions"] = {"CFLicenses": licences}
    return package


to_cfpackage = export_case
"""Alias used by the CLI (`badgeline frameworks export-case`)."""
