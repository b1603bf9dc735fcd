"""The memoized proof-configuration canonicalization equals the full RDFC-1.0 algorithm."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings, strategies as st

from issuer.canonical import rdfc_nquads
from issuer.cryptosuites import eddsa_rdfc_2022 as suite
from tests.crypto.conftest import OB, load_json

OB_CONTEXT = load_json(OB / "unsigned-credential.json")["@context"]
BASE: dict[str, Any] = {
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-rdfc-2022",
    "verificationMethod": "did:web:issuer.example#key-1",
    "proofPurpose": "assertionMethod",
    "@context": OB_CONTEXT,
}

datetimes = st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 30),
                         timezones=st.just(timezone.utc))
created_values = st.one_of(
    datetimes.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")),
    datetimes.map(lambda d: d.isoformat(timespec="microseconds").replace("+00:00", "Z")),
    st.tuples(datetimes, st.integers(-12, 14)).map(
        lambda t: t[0].astimezone(timezone(timedelta(hours=t[1]))).isoformat(timespec="seconds")),
    datetimes.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S")),
)
extras = st.fixed_dictionaries({}, optional={
    "id": st.just("urn:uuid:8cc9022b-6b14-4cf3-8571-74972c5feb54"),
    "previousProof": st.just("urn:uuid:26329423-bec9-4b2e-88cb-a7c7d9dc4544"),
    "domain": st.text(min_size=1, max_size=8),
    "challenge": st.text(min_size=1, max_size=8),
    "nonce": st.text(max_size=8),
    "expires": st.just("2030-01-01T00:00:00Z"),
})


@settings(max_examples=60, deadline=None)
@given(created=created_values, extra=extras)
def test_memoized_equals_full_algorithm(created: str, extra: dict[str, Any]) -> None:
    config = {**BASE, **extra, "created": created}
    assert suite.canonical_proof_configuration(config) == rdfc_nquads(config)


def test_placeholder_value_itself_and_embedded_blank_nodes() -> None:
    for config in (
        {**BASE, "created": "1111-11-11T11:11:11Z"},
        {**BASE, "created": "2020-01-01T00:00:00Z", "domain": "1111-11-11T11:11:11Z"},
        {**BASE, "created": "2020-01-01T00:00:00Z", "verificationMethod": {"type": "JsonSchema"}},
        {**BASE, "created": ["2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z"]},
    ):
        assert suite.canonical_proof_configuration(config) == rdfc_nquads(config)
