"""The worker's use case: deliver an offer's credential bound to the holder's DID (issue 9).

`issue_bound_result(sessions, offer_secret_hash, holder_did, ...)`, in ONE transaction:

1. lock the offer; it must have been redeemed (token or DID authentication) by this holder
   when the holder is known; when its credential was already issued to this holder (a
   redelivered task, a concurrent retry), answer that one again: idempotent;
2. the original must exist and not be revoked (`credential_request_denied`);
3. allocate its own random revocation slot (`pipeline.statuslists.allocate_entry`);
4. `issuer.holder_binding.bind_to_holder`, then sign and self-verify (`sign_and_check`);
5. store it as a new `credentials` row of the same award (`derived_from` = the original,
   `bound_to_did`), link the slot and the offer to it, commit.

The result crossing the task boundary: `{"verifiableCredential": ...}` or
`{"error": code, "error_description": ...}` (the OAuth error shape the web answers with).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from issuer.errors import IssuerError
from issuer.holder_binding import bind_to_holder
from pipeline.issuance import IssuingIdentity, sign_and_check
from pipeline.statuslists import allocate_entry
from pipeline.store.models import Credential, WalletOffer

from .errors import WalletError
from .offers import original_credential

log = logging.getLogger(__name__)


def locked_offer(session: Session, offer_id: str, holder_did: str) -> WalletOffer:
    """Step 1's checks: a redeemed offer, for this holder when one is recorded."""
    offer = session.get(WalletOffer, offer_id, with_for_update=True, populate_existing=True)
    if offer is None or offer.redeemed_at is None:
        raise WalletError("the offer was not redeemed", code="credential_request_denied")
    if offer.holder_did is not None and offer.holder_did != holder_did:
        raise WalletError("the offer was redeemed by another holder", code="credential_request_denied")
    return offer


def issue_bound(session: Session, offer_id: str, holder_did: str, *, identity: IssuingIdentity, public_url: str,
                now: datetime) -> dict[str, Any]:
    """Steps 1-5 inside the caller's transaction; the signed holder-bound credential."""
    offer = locked_offer(session, offer_id, holder_did)
    if offer.issued_credential_id is not None:
        issued = session.get(Credential, offer.issued_credential_id)
        if issued.bound_to_did != holder_did:
            raise WalletError("the offer's credential went to another holder", code="credential_request_denied")
        return issued.document
    original = original_credential(session, offer.credential_id)
    allocated = allocate_entry(session, identity=identity, public_url=public_url, now=now)
    credential_id = f"urn:uuid:{uuid.uuid4()}"
    unsigned = bind_to_holder(original.document, holder_did=holder_did, credential_id=credential_id,
                              valid_from=now, status_entry=allocated.entry)
    signed = sign_and_check(unsigned, identity, now)
    session.add(Credential(id=credential_id, award_id=original.award_id, document=signed, issued_at=now,
                           status_list_id=allocated.slot.status_list_id, status_index=allocated.slot.index,
                           derived_from=original.id, bound_to_did=holder_did))
    session.flush()
    allocated.slot.credential_id = credential_id
    offer.holder_did, offer.issued_credential_id = holder_did, credential_id
    return signed


def issue_bound_result(session_begin: Callable[[], Any], offer_id: str, holder_did: str, *, identity: IssuingIdentity,
                       public_url: str, now: datetime) -> dict[str, Any]:
    """What `badgeline.issue_bound_credential` returns (see the module docstring)."""
    try:
        with session_begin() as session:
            return {"verifiableCredential": issue_bound(session, offer_id, holder_did, identity=identity,
                                                        public_url=public_url, now=now)}
    except WalletError as error:
        return error.body()
    except IssuerError as error:
        log.error("issue_bound_credential: %s [%s]", error, error.code)
        return {"error": "credential_request_denied", "error_description": f"[{error.code}] {error}"}


__all__ = ["issue_bound", "issue_bound_result", "locked_offer"]
