"""Issuance use cases: build → sign → self-verify, shared by the worker and the offline CLI.

The signing key is used only here (and by the status-list publisher): it never leaves this
process and is never logged.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from issuer.canonical import reusing_canonical_forms
from issuer.credentials import IssuerProfile, Recipient, build_achievement_credential
from issuer.cryptosuites import add_proof
from issuer.dates import format_datetime_z
from issuer.dids import KeyResolver
from issuer.errors import IssuerError
from issuer.frameworks.urls import FrameworkUrls
from issuer.keys import Signer
from issuer.verify import VerificationReport, verify_credential


class SelfVerificationError(IssuerError):
    """A credential we just signed does not verify: a bug, never stored or sent."""

    code = "self_verification_failed"

    def __init__(self, report: VerificationReport):
        failed = [p.code for p in report.problems]
        super().__init__(f"freshly signed credential failed verification: {failed}")
        self.report = report


@dataclass(frozen=True)
class IssuingIdentity:
    """Who signs: the issuer Profile, its signer and a resolver that knows its keys."""

    profile: IssuerProfile
    signer: Signer
    resolve_key: KeyResolver


def sign_and_check(unsigned: dict, identity: IssuingIdentity, now: datetime) -> dict:
    """Add an eddsa-rdfc-2022 proof and verify the result before anyone sees it.

    The check is the verifier's whole `verify_credential` (schema, proof, issuer binding,
    validity) on the signed document; the document's canonical form, computed to sign, is
    reused rather than computed a second time from identical JSON (`reusing_canonical_forms`;
    issue 12: that second canonicalization was about 45% of the crypto per credential).

    `proof` is a proof set of one (an array): the shape the OB 3.0 JSON schema requires."""
    with reusing_canonical_forms():
        signed = add_proof(unsigned, signer=identity.signer, created=format_datetime_z(now), as_set=True)
        report = verify_credential(signed, resolve_key=identity.resolve_key, now=now)
    if not report.verified:
        raise SelfVerificationError(report)
    return signed


def issue_level_credential(
    *,
    framework,
    level: str,
    urls: FrameworkUrls,
    identity: IssuingIdentity,
    recipient: Recipient,
    now: datetime,
    credential_id: str | None = None,
    **build_options,
) -> dict:
    """Build, sign and self-verify one level credential for one learner."""
    unsigned = build_achievement_credential(
        framework=framework,
        level=level,
        urls=urls,
        issuer=identity.profile,
        recipient=recipient,
        credential_id=credential_id or f"urn:uuid:{uuid.uuid4()}",
        valid_from=now,
        **build_options,
    )
    return sign_and_check(unsigned, identity, now)
