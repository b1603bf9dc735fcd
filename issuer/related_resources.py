"""Integrity of related resources (VCDM 2.0 §5.3): `relatedResource` shape and digests.

Use case: an issuer refuses to sign, and a verifier refuses to accept, a `relatedResource`
that is not an object with a unique `id` and a digest, and (no fetching) a digest that does
not match a resource we already hold: the bundled JSON-LD contexts.

Steps:
1. `digests_of(resource)`: parse `digestSRI` (SRI hash expressions, standard base64) and
   `digestMultibase` (multibase `u`/`z`/`m`, a raw digest or a sha2 multihash) into
   (algorithm, digest) pairs; a malformed value is a problem.
2. `held_bytes(url)`: the bytes of a resource we hold (bundled contexts), or None.
3. `related_resource_problems(credential)`: every problem, each with its JSON pointer.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import Any

from issuer.contexts import index, load_context_bytes
from issuer.errors import IssuerError
from issuer.multibase import base58btc_decode
from issuer.schema import SchemaViolation

ALGORITHMS = {"sha256": 32, "sha384": 48, "sha512": 64}
_BY_LENGTH = {n: alg for alg, n in ALGORITHMS.items()}
_MULTIHASH = {b"\x12\x20": "sha256", b"\x20\x30": "sha384", b"\x13\x40": "sha512"}
_SRI = re.compile(r"^(sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})(\?[\x21-\x7e]*)?$")


def _sri_digests(value: Any) -> list[tuple[str, bytes]]:
    """SRI §3.5 `integrity` metadata: whitespace-separated `alg-base64` expressions."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("digestSRI must be a non-empty string")
    out = []
    for expression in value.split():
        match = _SRI.match(expression)
        if match is None:
            raise ValueError(f"{expression!r} is not an SRI hash expression (sha256/384/512, base64)")
        try:
            digest = base64.b64decode(match[2], validate=True)
        except binascii.Error as exc:
            raise ValueError(f"{expression!r} is not valid base64") from exc
        if len(digest) != ALGORITHMS[match[1]]:
            raise ValueError(f"{expression!r} has the wrong length for {match[1]}")
        out.append((match[1], digest))
    return out


def _multibase_bytes(value: str) -> bytes:
    prefix, body = value[:1], value[1:]
    try:
        if prefix == "u" and not re.search(r"[^A-Za-z0-9_-]", body):
            return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        if prefix == "m" and not re.search(r"[^A-Za-z0-9+/]", body):
            return base64.b64decode(body + "=" * (-len(body) % 4))
        if prefix == "z":
            return base58btc_decode(body)
    except (binascii.Error, IssuerError) as exc:
        raise ValueError(f"{value!r} is not valid multibase") from exc
    raise ValueError(f"{value!r} is not multibase base64url (u), base64 (m) or base58btc (z)")


def _multibase_digest(value: Any) -> tuple[str, bytes]:
    """A multibase digest: a sha2 multihash, or a bare sha2 digest known by its length."""
    if not isinstance(value, str) or len(value) < 2:
        raise ValueError("digestMultibase must be a multibase string")
    data = _multibase_bytes(value)
    algorithm = _MULTIHASH.get(data[:2])
    if algorithm is not None and len(data) == 2 + ALGORITHMS[algorithm]:
        return algorithm, data[2:]
    if len(data) in _BY_LENGTH:
        return _BY_LENGTH[len(data)], data
    raise ValueError(f"{value!r} is not a SHA-256/384/512 digest")


def digests_of(resource: dict[str, Any]) -> list[tuple[str, str, bytes]]:
    """(member, algorithm, digest) of every digest a relatedResource object gives; ValueError if malformed."""
    out: list[tuple[str, str, bytes]] = []
    if "digestSRI" in resource:
        out += [("digestSRI", alg, d) for alg, d in _sri_digests(resource["digestSRI"])]
    if "digestMultibase" in resource:
        values = resource["digestMultibase"]
        for value in values if isinstance(values, list) else [values]:
            out.append(("digestMultibase", *_multibase_digest(value)))
    return out


def held_bytes(url: str) -> bytes | None:
    """The exact bytes of a resource held here (a bundled, byte-exact context), else None."""
    entry = index().get(url)
    if entry is None or not entry.get("byteExact", True):
        return None
    return load_context_bytes(url)


def _resource_problems(resource: Any, at: str, seen: set[str]) -> list[SchemaViolation]:
    if not isinstance(resource, dict):
        return [SchemaViolation(at, "a relatedResource must be an object with an id and a digest",
                                "related_resource_not_object")]
    ident = resource.get("id")
    problems = []
    if not isinstance(ident, str) or not ident:
        problems.append(SchemaViolation(f"{at}/id", "a relatedResource needs an id (a URL)", "related_resource_id"))
    elif ident in seen:
        problems.append(SchemaViolation(f"{at}/id", f"the relatedResource id {ident} is repeated",
                                        "related_resource_id_repeated"))
    else:
        seen.add(ident)
    if "digestSRI" not in resource and "digestMultibase" not in resource:
        return problems + [SchemaViolation(at, "a relatedResource needs a digestSRI or a digestMultibase",
                                           "related_resource_digest_missing")]
    try:
        digests = digests_of(resource)
    except ValueError as exc:
        return problems + [SchemaViolation(at, str(exc), "related_resource_digest_malformed")]
    held = held_bytes(ident) if isinstance(ident, str) else None
    for member, algorithm, digest in digests if held is not None else []:
        if hashlib.new(algorithm, held).digest() != digest:
            problems.append(SchemaViolation(f"{at}/{member}", f"the {algorithm} digest does not match {ident}",
                                            "related_resource_digest_mismatch"))
    return problems


def related_resource_problems(credential: dict[str, Any]) -> list[SchemaViolation]:
    """Every VCDM 2.0 §5.3 problem of the credential's relatedResource, with JSON pointers."""
    if "relatedResource" not in credential:
        return []
    value = credential["relatedResource"]
    items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
    if not items:
        return [SchemaViolation("/relatedResource", "relatedResource must hold at least one object",
                                "related_resource_not_object")]
    seen: set[str] = set()
    problems: list[SchemaViolation] = []
    for i, resource in items:
        problems += _resource_problems(resource, "/relatedResource" + ("" if i is None else f"/{i}"), seen)
    return problems


__all__ = ["digests_of", "held_bytes", "related_resource_problems"]
