"""A credential re-issued to its holder's DID, for delivery into a wallet (issue 9).

A wallet proves control of a DID (an OID4VCI `jwt` proof, or a DID-authentication
presentation) and receives the same achievement bound to that DID:

1. copy the original credential without its proof;
2. give it its own `id` (a new `urn:uuid`), its own `credentialStatus` entry (its own
   status-list slot, so it is revoked with the award) and `validFrom` = now; an original
   `validUntil` is kept;
3. bind the subject: `credentialSubject.id` = the holder's DID (OB 3.0 AchievementSubject
   `id`); every other subject member (achievement, result, identifier) is kept;
4. the caller signs it (`pipeline.issuance.sign_and_check`).

Pure: time, ids and the status entry come in as arguments.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from issuer.dates import format_datetime_z
from issuer.errors import IssuerError


class HolderBindingError(IssuerError):
    """The original cannot be bound: not one subject object, or the DID is not a DID."""

    code = "holder_binding_failed"


def bind_to_holder(original: dict[str, Any], *, holder_did: str, credential_id: str, valid_from: datetime,
                   status_entry: dict[str, Any] | None) -> dict[str, Any]:
    """Steps 1-3 of the module docstring: the unsigned holder-bound copy of `original`."""
    if not isinstance(holder_did, str) or not holder_did.startswith("did:") or len(holder_did) > 500:
        raise HolderBindingError(f"{holder_did!r} is not a DID")
    unsigned = copy.deepcopy({k: v for k, v in original.items() if k != "proof"})
    subject = unsigned.get("credentialSubject")
    if not isinstance(subject, dict):
        raise HolderBindingError("the original credential must have one credentialSubject object")
    subject["id"] = holder_did
    unsigned["id"] = credential_id
    unsigned["validFrom"] = format_datetime_z(valid_from)
    if status_entry is None:
        unsigned.pop("credentialStatus", None)
    else:
        unsigned["credentialStatus"] = status_entry
    return unsigned


__all__ = ["HolderBindingError", "bind_to_holder"]
