"""Offline OB 3.0 JSON-schema validation, plus the checks the schema cannot express.

* Schema (OB#credentialschema, JSON Schema 2019-09): the bundled copy in
  `issuer/schemas/` (SHA-256 checked against index.json). `proof` is normalized to an
  array first (DIGEST C9: the canonical schema types it as an array, DI issues a map), the
  credential's own and its embedded endorsements' (`endorsement_holders`).
  EndorsementCredentials are checked with the endorsement schema.
* Semantics (OB#achievementsubject, OB#result, OB#verification step 1):
  the subject has `id` or `identifier`; `result[].resultDescription` names a
  ResultDescription of the achievement and `achievedLevel` a RubricCriterionLevel of one
  (not necessarily the referenced one: OB's own complete example mixes them); ids and URLs are absolute URIs; `validUntil >= validFrom`.

Both return `SchemaViolation(path, message)` entries with JSON-pointer paths.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from issuer.errors import CredentialBuildError, json_pointer

try:  # optional accelerator; python-jsonschema stays the reference
    import jsonschema_rs as _rs
except ImportError:  # pragma: no cover
    _rs = None

ACHIEVEMENT_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
ENDORSEMENT_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$")
_URI_KEYS = frozenset({"id", "url", "targetUrl", "achievedLevel", "resultDescription", "requiredLevel",
                       "statusListCredential", "verificationMethod"})


@dataclass(frozen=True)
class SchemaViolation:
    """One problem: JSON-pointer `path` (e.g. `/issuer/id`), a message, and a stable code
    (`schema_violation`, or a more specific one for a rule the schema cannot express)."""

    path: str
    message: str
    code: str = "schema_violation"


#: Where OB 3.0 lets `endorsement` / `endorsementJwt` appear: the credential, its issuer Profile,
#: the Achievement and the Achievement's creator Profile (OB data model §B).
ENDORSEMENT_HOLDERS: tuple[tuple[str, ...], ...] = ((), ("issuer",), ("credentialSubject", "achievement"),
                                                    ("credentialSubject", "achievement", "creator"))


def endorsement_holders(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(JSON pointer, object) for each object that may hold endorsements; a subject array is walked."""
    for names in ENDORSEMENT_HOLDERS:
        frontier: list[tuple[str, Any]] = [("", document)]
        for name in names:
            step: list[tuple[str, Any]] = []
            for pointer, node in frontier:
                child = node.get(name) if isinstance(node, dict) else None
                if isinstance(child, list) and name == "credentialSubject":
                    step += [(f"{pointer}/{name}/{i}", item) for i, item in enumerate(child)]
                elif child is not None:
                    step.append((f"{pointer}/{name}", child))
            frontier = step
        yield from ((pointer, node) for pointer, node in frontier if isinstance(node, dict))


def _with_proof_arrays(document: dict[str, Any]) -> dict[str, Any]:
    """A copy whose `proof` maps (the credential's, its endorsements') are one-item arrays."""
    def single_proof(item: Any) -> bool:
        return isinstance(item, dict) and isinstance(item.get("proof"), dict)

    if any(single_proof(e) for _, holder in endorsement_holders(document)
           for e in (holder.get("endorsement") if isinstance(holder.get("endorsement"), list) else [])):
        document = copy.deepcopy(document)  # rare: only credentials with endorsements pay for it
        for _, holder in endorsement_holders(document):
            for item in holder.get("endorsement") or []:
                if single_proof(item):
                    item["proof"] = [item["proof"]]
    else:
        document = copy.copy(document)
    if isinstance(document.get("proof"), dict):
        document["proof"] = [document["proof"]]
    return document


def _pointer(parts: Any) -> str:
    return json_pointer(parts) or "/"  # a violation of the document itself reads as "/"


_FORMATS = jsonschema.FormatChecker([])


@_FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    """RFC 3339 date-time, with a zone (OB DateTimeZ; VCDM dateTimeStamp)."""
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


@_FORMATS.checks("date")
def _is_date(value: object) -> bool:
    """RFC 3339 full-date, YYYY-MM-DD."""
    if not isinstance(value, str):
        return True
    if not _DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=None)
def _schema(url: str) -> dict[str, Any]:
    index = json.loads(resources.files("issuer.schemas").joinpath("index.json").read_bytes())["schemas"]
    entry = index[url]
    raw = resources.files("issuer.schemas").joinpath(entry["file"]).read_bytes()
    if hashlib.sha256(raw).hexdigest() != entry["sha256"]:
        raise CredentialBuildError(f"bundled schema {entry['file']} does not match its pinned SHA-256",
                                   code="schema_digest_mismatch")
    return json.loads(raw)


@lru_cache(maxsize=None)
def _validator(url: str) -> jsonschema.Draft201909Validator:
    """The reference validator (python-jsonschema): exact error paths."""
    return jsonschema.Draft201909Validator(_schema(url), format_checker=_FORMATS)


@lru_cache(maxsize=None)
def _fast_validator(url: str) -> Any:
    """jsonschema-rs with the same format checks (about 200x faster), or None if not installed.

    Used only to answer "valid?"; an invalid document is re-checked by `_validator` for
    the error paths. tests/credentials/test_schema.py checks both agree.
    """
    if _rs is None:
        return None
    return _rs.Draft201909Validator(_schema(url), formats={"date-time": _is_date_time, "date": _is_date},
                                    validate_formats=True, offline=True)


def _schema_for(document: dict[str, Any]) -> str:
    types = document.get("type")
    types = [types] if isinstance(types, str) else types or []
    return ENDORSEMENT_SCHEMA if "EndorsementCredential" in types else ACHIEVEMENT_SCHEMA


def _leaf(error: ValidationError) -> ValidationError:
    """The most specific error beneath oneOf/anyOf branches."""
    while error.context:
        error = best_match(error.context)
    return error


def schema_violations(document: Any) -> list[SchemaViolation]:
    """JSON-schema violations of an OB credential (proof normalized to an array first)."""
    if not isinstance(document, dict):
        return [SchemaViolation("/", "a credential must be a JSON object")]
    doc = _with_proof_arrays(document)
    url = _schema_for(doc)
    fast = _fast_validator(url)
    if fast is not None and fast.is_valid(doc):
        return []
    out = []
    for error in _validator(url).iter_errors(doc):
        leaf = _leaf(error)
        out.append(SchemaViolation(_pointer(leaf.absolute_path), leaf.message))
    return sorted(set(out), key=lambda v: (v.path, v.message))


def _walk(value: Any, path: tuple) -> Iterator[tuple[tuple, str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield path, key, item
            yield from _walk(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index))


def _uri_violations(document: dict[str, Any]) -> Iterator[SchemaViolation]:
    for path, key, value in _walk(document, ()):
        if key in _URI_KEYS and isinstance(value, str) and not _URI.match(value):
            yield SchemaViolation(_pointer((*path, key)), f"{value!r} is not an absolute URI")
    issuer = document.get("issuer")
    if isinstance(issuer, str) and not _URI.match(issuer):
        yield SchemaViolation("/issuer", f"{issuer!r} is not an absolute URI")


def _subject_violations(subject: dict[str, Any]) -> Iterator[SchemaViolation]:
    if not subject.get("id") and not subject.get("identifier"):
        yield SchemaViolation("/credentialSubject", "the subject needs an id or an identifier (OB#achievementsubject)",
                              code="subject_unidentified")
    achievement = subject.get("achievement") if isinstance(subject.get("achievement"), dict) else {}
    descriptions = {rd.get("id"): rd for rd in achievement.get("resultDescription") or [] if isinstance(rd, dict)}
    levels = {lv.get("id") for rd in descriptions.values() for lv in rd.get("rubricCriterionLevel") or []
              if isinstance(lv, dict)}
    for index, result in enumerate(subject.get("result") or []):
        if not isinstance(result, dict):
            continue
        base = ("credentialSubject", "result", index)
        ref = result.get("resultDescription")
        if ref is not None and ref not in descriptions:
            yield SchemaViolation(_pointer((*base, "resultDescription")),
                                  f"{ref!r} is not a resultDescription of this credential's achievement")
        level = result.get("achievedLevel")
        if level is not None and level not in levels:
            yield SchemaViolation(_pointer((*base, "achievedLevel")),
                                  f"{level!r} is not a rubricCriterionLevel of this credential's achievement")


def _validity_violations(document: dict[str, Any]) -> Iterator[SchemaViolation]:
    start, end = document.get("validFrom"), document.get("validUntil")
    if isinstance(start, str) and isinstance(end, str) and _is_date_time(start) and _is_date_time(end):
        parse = lambda s: datetime.fromisoformat(s.upper().replace("Z", "+00:00"))  # noqa: E731
        if parse(end) < parse(start):
            yield SchemaViolation("/validUntil", "validUntil is before validFrom (VCDM §4.9)")


def semantic_violations(document: Any) -> list[SchemaViolation]:
    """What the OB schema does not check (see module docstring)."""
    if not isinstance(document, dict):
        return [SchemaViolation("/", "a credential must be a JSON object")]
    out = list(_uri_violations(document)) + list(_validity_violations(document))
    subject = document.get("credentialSubject")
    if _schema_for(document) == ACHIEVEMENT_SCHEMA and isinstance(subject, dict):
        out += list(_subject_violations(subject))
    return out


def validate_ob_credential(document: Any) -> list[SchemaViolation]:
    """All schema and semantic violations of an OB 3.0 credential; [] when valid."""
    return schema_violations(document) + semantic_violations(document)
