"""`reusing_canonical_forms`: issuance's self-check reuses the canonical form it signed, and
still refuses anything that does not verify (issue 12)."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest

from issuer import canonical
from issuer.canonical import rdfc_nquads, reusing_canonical_forms
from issuer.credentials import IssuerProfile, Recipient, build_achievement_credential
from issuer.cryptosuites import add_proof
from issuer.dids import resolve_did_key
from issuer.frameworks.registry import FrameworkRegistry
from issuer.frameworks.urls import FrameworkUrls
from issuer.keys import Ed25519Key, did_key_signer
from issuer.verify import verify_credential
from pipeline.issuance import IssuingIdentity, SelfVerificationError, sign_and_check

BASE = "https://badges.example.org"
WHEN = datetime(2026, 11, 20, 15, 4, 5, tzinfo=timezone.utc)
KEY = Ed25519Key.from_seed(bytes(range(32)))


def _unsigned() -> dict:
    return build_achievement_credential(
        framework=FrameworkRegistry.bundled().get("29-2052.00", "v.26.05"), level="developing",
        urls=FrameworkUrls(BASE), issuer=IssuerProfile(id=KEY.did_key, name="Example Issuer", url=BASE),
        recipient=Recipient(name="Ana Diaz", email="ana@example.org", salt="5a1t"),
        credential_id="urn:uuid:0b6f1d0e-33a5-4c39-9d0c-7f8f1a2b3c4d", valid_from=WHEN)


@pytest.fixture
def computed(monkeypatch) -> list[str]:
    """The documents' ids actually canonicalized (not served from the block's memory)."""
    seen: list[str] = []
    real = canonical.canonical_nquads

    def counting(document):
        seen.append(str(document.get("id") or document.get("type")))
        return real(document)

    monkeypatch.setattr(canonical, "canonical_nquads", counting)
    return seen


def test_sign_and_check_canonicalizes_the_credential_once(computed):
    identity = IssuingIdentity(IssuerProfile(id=KEY.did_key, name="Example Issuer", url=BASE),
                               did_key_signer(KEY), resolve_did_key)
    signed = sign_and_check(_unsigned(), identity, WHEN)
    assert computed.count("urn:uuid:0b6f1d0e-33a5-4c39-9d0c-7f8f1a2b3c4d") == 1  # was 2: sign, then verify
    assert verify_credential(signed, resolve_key=resolve_did_key, now=WHEN).verified  # and it verifies afresh


def test_same_answer_and_nothing_kept_outside_the_block(computed):
    document = _unsigned()
    with reusing_canonical_forms():
        first, again = rdfc_nquads(document), rdfc_nquads(copy.deepcopy(document))
    assert first == again == canonical.canonical_nquads(document)
    assert len(computed) == 2  # once in the block, once outside it
    rdfc_nquads(document)
    assert len(computed) == 3


def test_a_changed_document_is_canonicalized_again_and_refused():
    """The memory is keyed by the whole JSON text: a document changed after signing (one value,
    or a number's type) is not mistaken for the signed one, so its proof fails."""
    signer = did_key_signer(KEY)
    with reusing_canonical_forms():
        signed = add_proof(_unsigned(), signer=signer, created="2026-11-20T15:04:06Z", as_set=True)
        for change in ({"name": "Another badge"}, {"validFrom": "2026-11-20T15:04:05.000Z"}):
            tampered = {**copy.deepcopy(signed), **change}
            report = verify_credential(tampered, resolve_key=resolve_did_key, now=WHEN)
            assert not report.verified and "signature_invalid" in {p.code for p in report.problems}, report.as_dict()


def test_self_check_still_refuses_a_bad_signature(monkeypatch):
    """The check is not skipped: a signer whose signature does not match its key is caught."""
    identity = IssuingIdentity(IssuerProfile(id=KEY.did_key, name="Example Issuer", url=BASE),
                               did_key_signer(Ed25519Key.from_seed(b"\x07" * 32)), resolve_did_key)
    with pytest.raises(SelfVerificationError):
        sign_and_check(_unsigned(), identity, WHEN)
