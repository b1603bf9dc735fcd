"""Core-verification fixtures: real Ed25519 keys, a credential built and signed by the real issuing use case."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from issuer.credentials import IssuerProfile, Recipient
from issuer.cryptosuites import add_proof
from issuer.dates import format_datetime_z
from issuer.dids import resolve_did_key
from issuer.frameworks import FrameworkRegistry, FrameworkUrls
from issuer.keys import Ed25519Key, did_key_signer
from issuer.verify import VerificationReport, verify_credential
from pipeline.issuance import IssuingIdentity, issue_level_credential

NOW = datetime(2026, 11, 20, 15, 4, 5, tzinfo=timezone.utc)
VALID_UNTIL = NOW + timedelta(days=365)
PUBLIC = "https://badges.example.org"
ISSUER_KEY = Ed25519Key.from_seed(bytes(range(32)))
OTHER_KEY = Ed25519Key.from_seed(bytes(range(32, 64)))


def sign(unsigned: dict[str, Any], key: Ed25519Key = ISSUER_KEY) -> dict[str, Any]:
    """A fresh eddsa-rdfc-2022 proof by `key`'s did:key over `unsigned` (any old proof dropped)."""
    document = {k: v for k, v in unsigned.items() if k != "proof"}
    return add_proof(document, signer=did_key_signer(key), created=format_datetime_z(NOW))


def verify(raw: Any, **options: Any) -> VerificationReport:
    options.setdefault("now", NOW)
    return verify_credential(raw, resolve_key=options.pop("resolve_key", resolve_did_key), **options)


def outcomes(report: VerificationReport) -> dict[str, tuple[str, list[str]]]:
    """check name -> (outcome, problem codes)."""
    return {c.name: (c.outcome.value, [p.code for p in c.problems]) for c in report.checks}


@pytest.fixture(scope="session")
def signed_original() -> dict[str, Any]:
    fw = FrameworkRegistry.bundled().get("29-2052.00", "v.26.05")
    identity = IssuingIdentity(IssuerProfile(id=ISSUER_KEY.did_key, name="Example Issuer", url=PUBLIC),
                               did_key_signer(ISSUER_KEY), resolve_did_key)
    return issue_level_credential(framework=fw, level="proficient", urls=FrameworkUrls(PUBLIC), identity=identity,
                                  recipient=Recipient(name="Ana Diaz", email="ana@example.org", salt="salt-1"),
                                  now=NOW, valid_until=VALID_UNTIL,
                                  credential_id="urn:uuid:0f3b8d7e-1c7e-4c55-9a8a-1d1f4d0e2b11")


@pytest.fixture
def signed(signed_original) -> dict[str, Any]:
    """A valid signed AchievementCredential (did:key issuer), a fresh copy per test."""
    return copy.deepcopy(signed_original)


@pytest.fixture
def resign() -> Callable[..., dict[str, Any]]:
    return sign
