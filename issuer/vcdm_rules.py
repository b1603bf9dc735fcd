"""The VCDM 2.0 MUSTs an issuer checks before signing, beyond the envelope and the contexts.

Use case: the VC API issuer (and anyone signing a caller's credential) collects every
problem at once, each with the JSON pointer of the offending member, and refuses to sign
when there is any. Steps (VCDM 2.0 sections):
1. §4.5 Types: every `type` value is a non-empty string (a term or an absolute URL);
2. §4.10 `credentialStatus`, §4.11 `credentialSchema` (also an `id`), §5.4 `refreshService`,
   §5.5 `termsOfUse`, §5.6 `evidence`: one object or a non-empty list of objects, each
   with a `type`;
3. §5.3 `relatedResource`: objects with a unique `id` and a digest that is well-formed and,
   for a resource we hold, correct (`issuer.related_resources`).
"""

from __future__ import annotations

from typing import Any

from issuer.related_resources import related_resource_problems
from issuer.schema import SchemaViolation

TYPED_MEMBERS = ("credentialStatus", "credentialSchema", "refreshService", "termsOfUse", "evidence")
"""Members whose every object MUST specify its `type` (VCDM 2.0 §4.10, §4.11, §5.4, §5.5, §5.6)."""


def _type_problems(value: Any, at: str, *, required: bool) -> list[SchemaViolation]:
    """§4.5: `type` is one or more terms and/or absolute URL strings."""
    if value is None:
        return [SchemaViolation(at, "the type property is required", "type_missing")] if required else []
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(t, str) and t for t in items):
        return [SchemaViolation(at, "type must be one or more non-empty strings", "type_invalid")]
    return []


def _typed_member_problems(credential: dict[str, Any], name: str) -> list[SchemaViolation]:
    value = credential[name]
    items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
    if not items:
        return [SchemaViolation(f"/{name}", f"{name} must hold at least one object", "member_not_object")]
    problems = []
    for i, item in items:
        at = f"/{name}" + ("" if i is None else f"/{i}")
        if not isinstance(item, dict):
            problems.append(SchemaViolation(at, f"{name} must be an object or a list of objects", "member_not_object"))
            continue
        problems += _type_problems(item.get("type"), f"{at}/type", required=True)
        if name == "credentialSchema" and not isinstance(item.get("id"), str):
            problems.append(SchemaViolation(f"{at}/id", "a credentialSchema needs an id (the schema's URL)",
                                            "id_missing"))
    return problems


def issuer_violations(credential: dict[str, Any]) -> list[SchemaViolation]:
    """Every VCDM 2.0 issuer-side MUST this credential breaks (empty when it may be signed)."""
    problems = _type_problems(credential.get("type"), "/type", required=True)
    for name in TYPED_MEMBERS:
        if name in credential:
            problems += _typed_member_problems(credential, name)
    return problems + related_resource_problems(credential)


__all__ = ["TYPED_MEMBERS", "issuer_violations"]
