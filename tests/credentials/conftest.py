from __future__ import annotations

from datetime import UTC, datetime

import pytest

from issuer.credentials import EvidenceItem, IssuerProfile, ProviderProfile, Recipient
from issuer.frameworks import FrameworkRegistry, FrameworkUrls

VALID_FROM = datetime(2026, 5, 20, 14, 3, 11, tzinfo=UTC)
CREDENTIAL_ID = "urn:uuid:6f1c9f3e-3b1a-4d7e-9a52-0c3f5e2b7d41"
HOLDER_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
STATUS = {
    "id": "https://badges.example.org/status/1#40213",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "40213",
    "statusListCredential": "https://badges.example.org/status/1",
}
ISSUER = IssuerProfile(id="did:web:badges.example.org", name="Example Credentialing Service",
                       url="https://badges.example.org")
PROVIDERS = (
    ProviderProfile(id="https://provider-a.example", name="Provider A", url="https://provider-a.example/"),
    ProviderProfile(id="https://provider-b.example", name="Provider B"),
)
EVIDENCE = (
    EvidenceItem(id="https://provider-a.example/assessments/77", name="Dispensing practical", description=None,
                 narrative="Observed practical in a hospital pharmacy.", provider_name="Provider A",
                 statements=("P01", "P02", "P03"), assessed_at=datetime(2026, 5, 18, 10, 0, tzinfo=UTC)),
    EvidenceItem(id=None, name="Written examination", description="Ninety-minute written exam.", narrative=None,
                 provider_name="Provider B", statements=tuple(f"P{n:02d}" for n in range(4, 11)),
                 assessed_at=datetime(2026, 5, 19, 9, 30, tzinfo=UTC)),
)


@pytest.fixture(scope="session")
def fw():
    return FrameworkRegistry.bundled().get("29-2052.00", "v.26.05")


@pytest.fixture(scope="session")
def urls():
    return FrameworkUrls("https://badges.example.org")


@pytest.fixture
def build(fw, urls):
    """build(**overrides) -> credential dict, from the fixed golden inputs."""
    from issuer.credentials import build_achievement_credential

    def _build(**overrides):
        args = dict(framework=fw, level="proficient", urls=urls, issuer=ISSUER,
                    recipient=Recipient(name="Jane Doe", email=" Jane.Doe@Example.COM ", salt="pepper-salt-01"),
                    credential_id=CREDENTIAL_ID, valid_from=VALID_FROM, evidence=EVIDENCE, sources=PROVIDERS,
                    status_entry=STATUS)
        args.update(overrides)
        return build_achievement_credential(**args)

    return _build
