"""Issue 10, finding 3: the guarded fetcher's deadline holds on every read, whatever the framing.

Real local servers drip their answers (tests/verifier/drip.py): each byte arrives far inside
the per-read timeout, so only a deadline on the whole exchange ends the fetch. The same
drip, given enough time, is fetched whole, so the refusal is the deadline's doing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from issuer.cryptosuites import add_proof
from issuer.frameworks import FrameworkRegistry
from issuer.keys import did_key_signer
from issuer.status import status_entry
from verifier.app import VerifierSettings, create_app
from verifier.errors import FetchError
from verifier.resolvers import GuardedFetcher, GuardPolicy, HostAllowlist, fetch_budget
from tests.verifier.drip import DripServer


def fetcher(server: DripServer, timeout_s: float) -> GuardedFetcher:
    return GuardedFetcher(GuardPolicy(allowlist=HostAllowlist.parse([f"127.0.0.1:{server.port}"]),
                                      timeout_s=timeout_s, cache_ttl_s=0))


@pytest.mark.parametrize("mode", ["head", "close-body", "chunked-body"])
def test_a_dripped_answer_is_cut_at_the_deadline(mode):
    with DripServer(mode, size=64, interval_s=0.05) as server:  # ~3.5 s of drip, 0.05 s per byte
        with pytest.raises(FetchError) as late:
            fetcher(server, timeout_s=0.5).fetch(server.url())
        assert late.value.code == "fetch_timeout"
        assert server.completed == 0  # cut while dripping, not after the last byte


def test_the_same_drip_is_read_whole_within_a_longer_deadline():
    with DripServer("close-body", size=8, interval_s=0.02) as server:
        assert fetcher(server, timeout_s=10.0).fetch(server.url()) == b"{}" + b" " * 6


def test_a_fetch_budget_ends_a_dripped_fetch():
    with DripServer("head", size=64, interval_s=0.05) as server:
        with fetch_budget(0.4), pytest.raises(FetchError) as late:
            fetcher(server, timeout_s=30.0).fetch(server.url())
        assert late.value.code == "fetch_timeout"
        assert server.completed == 0


def test_a_batch_citing_dripping_status_lists_keeps_its_request_budget():
    """Three credentials, three dripping status lists: the first uses up the budget while
    dripping, the others are not fetched; every status check is cannot-check."""
    from tests.verifier.fixtures.generate import CREATED, OTHER, _credential

    with DripServer("head", size=64, interval_s=0.05) as server:
        credentials = [add_proof(_credential(issuer=OTHER.did_key, status=status_entry(
            f"http://127.0.0.1:{server.port}/status/{i}", 3, "revocation")), signer=did_key_signer(OTHER),
            created=CREATED) for i in range(3)]
        settings = VerifierSettings(allowed_hosts=[f"127.0.0.1:{server.port}"], request_fetch_budget_s=0.5)
        app = create_app(settings, registry=FrameworkRegistry.bundled(),
                         clock=lambda: datetime(2026, 6, 1, tzinfo=UTC))
        response = app.test_client().post("/credentials/verify:batch", data=json.dumps(
            {"verifiableCredentials": credentials}), content_type="application/json")
        assert server.completed == 0  # the request's budget cut the first list while it dripped
    statuses = [next(c for c in r["checks"] if c["check"] == "status") for r in response.get_json()["results"]]
    assert [s["outcome"] for s in statuses] == ["cannot-check"] * 3
    assert "did not answer in time" in statuses[0]["summary"]
    assert all("time for fetching is spent" in s["summary"] for s in statuses[1:])
