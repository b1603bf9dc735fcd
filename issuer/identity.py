"""Recipient identity hashing (OB#identityhash, OB#identityobject).

`identityHash = "sha256$" + hex(sha256(utf8(identifier + salt)))`. Emails are normalized
before hashing, so the same learner gives the same hash whatever the provider typed:
surrounding whitespace is stripped and the whole address is lowercased (a deliberate
simplification: RFC 5321 lets the local part be case-sensitive, but no real mailbox
provider relies on it, and learners are matched across providers by this form).
"""

from __future__ import annotations

import hashlib
import re

from issuer.errors import CredentialBuildError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(email: str) -> str:
    """Strip surrounding whitespace and lowercase; CredentialBuildError if not an address."""
    normalized = email.strip().lower()
    if not _EMAIL.fullmatch(normalized):
        raise CredentialBuildError("recipient email is not a valid address", code="recipient_email_invalid")
    return normalized


def hash_identity(identifier: str, salt: str) -> str:
    """OB IdentityHash: `sha256$` + lowercase hex SHA-256 of identifier + salt (UTF-8)."""
    return "sha256$" + hashlib.sha256((identifier + salt).encode("utf-8")).hexdigest()


def identity_matches(identity_hash: str, identifier: str, salt: str | None) -> bool:
    """Whether `identifier` (e.g. a normalized email) hashes to `identity_hash` (OB#verify-identifier)."""
    algorithm, _, digest = identity_hash.partition("$")
    data = (identifier + (salt or "")).encode("utf-8")
    if algorithm == "sha256":
        return hashlib.sha256(data).hexdigest() == digest.lower()
    if algorithm == "md5":
        return hashlib.md5(data, usedforsecurity=False).hexdigest() == digest.lower()
    return False
