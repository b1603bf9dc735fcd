"""The guarded fetcher against real local servers: scheme, address, size, time, cache, pinning."""

from __future__ import annotations

import ipaddress

import pytest

from verifier.app import VerifierSettings
from verifier.errors import FetchError
from verifier.resolvers import GuardedFetcher, GuardPolicy, HostAllowlist, address_is_public
from tests.verifier.servers import RouteServer, Route, make_certificate


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def https_server(certs):
    with RouteServer({"/doc.json": Route(b'{"ok": true}')}, tls_cert=certs[0]) as server:
        yield server


def fetcher_for(*hosts: str, ca=None, **limits) -> GuardedFetcher:
    return GuardedFetcher(GuardPolicy(allowlist=HostAllowlist.parse(hosts), ca_file=str(ca) if ca else None, **limits))


@pytest.mark.parametrize("text, public", [
    ("8.8.8.8", True), ("2606:4700:4700::1111", True), ("127.0.0.1", False), ("10.1.2.3", False),
    ("172.16.0.1", False), ("192.168.1.1", False), ("169.254.169.254", False), ("100.64.0.1", False),
    ("0.0.0.0", False), ("::1", False), ("fe80::1", False), ("fc00::1", False), ("::ffff:10.0.0.1", False),
    ("::ffff:127.0.0.1", False), ("224.0.0.1", False), ("255.255.255.255", False),
])
def test_address_is_public(text, public):
    assert address_is_public(ipaddress.ip_address(text)) is public


def test_loopback_is_refused_unless_allowlisted(https_server, certs):
    with pytest.raises(FetchError) as refused:
        fetcher_for(ca=certs[1]).fetch(https_server.url("/doc.json"))
    assert refused.value.code == "fetch_forbidden"
    assert https_server.requests == []
    body = fetcher_for(f"localhost:{https_server.port}", ca=certs[1]).fetch(https_server.url("/doc.json"))
    assert body == b'{"ok": true}'


def test_allowlist_port_must_match(https_server, certs):
    with pytest.raises(FetchError) as refused:
        fetcher_for("localhost:1", ca=certs[1]).fetch(https_server.url("/doc.json"))
    assert refused.value.code == "fetch_forbidden"
    assert fetcher_for("localhost", ca=certs[1]).fetch(https_server.url("/doc.json"))


def test_tls_certificate_is_verified(https_server):
    with pytest.raises(FetchError) as failed:
        fetcher_for(f"localhost:{https_server.port}").fetch(https_server.url("/doc.json"))
    assert failed.value.code == "fetch_tls"


def test_plain_http_only_for_allowlisted_hosts():
    with RouteServer({"/doc.json": Route(b"{}")}) as server:
        with pytest.raises(FetchError) as refused:
            fetcher_for().fetch(server.url("/doc.json", "127.0.0.1"))
        assert refused.value.code == "fetch_scheme_forbidden"
        assert fetcher_for(f"127.0.0.1:{server.port}").fetch(server.url("/doc.json", "127.0.0.1")) == b"{}"


@pytest.mark.parametrize("url", ["ftp://example.org/x", "file:///etc/passwd", "https://user:pw@example.org/",
                                 "not a url", "https:///nohost", "gopher://example.org"])
def test_non_http_urls_are_refused_before_any_lookup(url):
    looked_up = []
    fetcher = GuardedFetcher(GuardPolicy(), resolve=lambda h, p: looked_up.append(h) or ["8.8.8.8"])
    with pytest.raises(FetchError):
        fetcher.fetch(url)
    assert looked_up == []


def test_connection_is_pinned_to_the_checked_address(https_server, certs):
    """One lookup per fetch; the socket goes to that address while Host and TLS name stay the URL's."""
    lookups = []

    def resolve(host, port):
        lookups.append(host)
        return ["127.0.0.1"]

    fetcher = GuardedFetcher(GuardPolicy(allowlist=HostAllowlist.parse(["badges.test"]), ca_file=str(certs[1])),
                             resolve=resolve)
    assert fetcher.fetch(https_server.url("/doc.json", "badges.test")) == b'{"ok": true}'
    assert lookups == ["badges.test"]
    assert https_server.requests[-1] == ("/doc.json", f"badges.test:{https_server.port}")


def test_a_name_resolving_to_private_addresses_is_refused():
    fetcher = GuardedFetcher(GuardPolicy(), resolve=lambda h, p: ["10.0.0.7", "::1"])
    with pytest.raises(FetchError) as refused:
        fetcher.fetch("https://rebind.example/did.json")
    assert refused.value.code == "fetch_forbidden"


def test_first_public_address_is_used_when_mixed():
    fetcher = GuardedFetcher(GuardPolicy(), resolve=lambda h, p: ["127.0.0.1", "93.184.216.34"])
    assert fetcher.pick_address("mixed.example", 443) == "93.184.216.34"


@pytest.mark.parametrize("chunked", [False, True])
def test_bodies_over_the_cap_are_refused(certs, chunked):
    routes = {"/big": Route(b"x" * (1024 * 1024 + 1), chunked=chunked), "/fits": Route(b"y" * (1024 * 1024))}
    with RouteServer(routes, tls_cert=certs[0]) as server:
        fetcher = fetcher_for(f"localhost:{server.port}", ca=certs[1])
        with pytest.raises(FetchError) as refused:
            fetcher.fetch(server.url("/big"))
        assert refused.value.code == "fetch_too_large"
        assert len(fetcher.fetch(server.url("/fits"))) == 1024 * 1024


def test_slow_servers_time_out(certs):
    with RouteServer({"/slow": Route(b"{}", delay_s=1.5)}, tls_cert=certs[0]) as server:
        fetcher = fetcher_for(f"localhost:{server.port}", ca=certs[1], timeout_s=0.4)
        with pytest.raises(FetchError) as slow:
            fetcher.fetch(server.url("/slow"))
        assert slow.value.code == "fetch_timeout"


def test_http_errors_and_redirects(certs):
    with RouteServer(tls_cert=certs[0]) as server:
        server.routes.update({
            "/gone": Route(b"", status=404),
            "/moved": Route(b"", status=302, headers={"Location": "/doc.json"}),
            "/doc.json": Route(b'{"ok": 1}'),
            "/escape": Route(b"", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data"}),
        })
        fetcher = fetcher_for(f"localhost:{server.port}", ca=certs[1])
        with pytest.raises(FetchError) as gone:
            fetcher.fetch(server.url("/gone"))
        assert gone.value.code == "fetch_http_status"
        assert fetcher.fetch(server.url("/moved")) == b'{"ok": 1}'
        with pytest.raises(FetchError) as escape:
            fetcher.fetch(server.url("/escape"))
        assert escape.value.code == "fetch_scheme_forbidden"


def clocked_fetcher(server: RouteServer, certs, clock: list[float], cache_ttl_s: float) -> GuardedFetcher:
    """A fetcher allowed to reach `server`, whose cache reads the time from `clock[0]`."""
    return GuardedFetcher(GuardPolicy(allowlist=HostAllowlist.parse([f"localhost:{server.port}"]),
                                      ca_file=str(certs[1]), cache_ttl_s=cache_ttl_s), monotonic=lambda: clock[0])


def test_cache_serves_fresh_entries_and_expires_them(https_server, certs):
    clock = [1000.0]
    fetcher = clocked_fetcher(https_server, certs, clock, 60)
    url = https_server.url("/doc.json")
    fetcher.fetch(url)
    fetcher.fetch(url)
    assert len(https_server.requests) == 1
    clock[0] += 61
    fetcher.fetch(url)
    assert len(https_server.requests) == 2


def test_settings_parse_the_allowlist():
    settings = VerifierSettings(allowed_hosts="localhost:8000, badges.internal ,[::1]:8443")
    allowlist = settings.guard_policy().allowlist
    assert allowlist.allows("localhost", 8000) and not allowlist.allows("localhost", 8001)
    assert allowlist.allows("badges.internal", 443) and allowlist.allows("::1", 8443)
    with pytest.raises(FetchError):
        HostAllowlist.parse(["https://example.org/path"])


def test_settings_accept_a_json_list():
    assert VerifierSettings(allowed_hosts='["a.example", "b.example:8443"]').allowed_hosts == ["a.example",
                                                                                               "b.example:8443"]


def test_max_age_shortens_the_cache_for_one_fetch(https_server, certs):
    clock = [1000.0]
    fetcher = clocked_fetcher(https_server, certs, clock, 300)
    url = https_server.url("/doc.json")
    fetcher.fetch(url)
    clock[0] += 5
    fetcher.fetch(url, max_age_s=10)
    assert len(https_server.requests) == 1
    fetcher.fetch(url, max_age_s=2)
    assert len(https_server.requests) == 2


@pytest.mark.parametrize("ttl_ms, fetches", [(2000, 2), (None, 1)])
def test_a_status_list_ttl_is_honoured(certs, ttl_ms, fetches):
    """BSL §2.2: `ttl` (ms) says how long a verifier may reuse a list; the guard's own TTL (300 s) caps it."""
    import json
    from datetime import UTC, datetime

    from issuer.cryptosuites import add_proof
    from issuer.frameworks import FrameworkRegistry
    from issuer.keys import did_key_signer
    from issuer.status import Bitstring, status_entry, status_list_credential
    from tests.verifier.fixtures.generate import CREATED, OTHER, _credential
    from verifier.app import make_engine

    with RouteServer(tls_cert=certs[0]) as server:
        url = server.url("/status/1")
        listed = status_list_credential(list_url=url, issuer=OTHER.did_key, purpose="revocation",
                                        bitstring=Bitstring(), valid_from="2026-05-01T00:00:00Z", ttl_ms=ttl_ms)
        server.routes["/status/1"] = Route(json.dumps(add_proof(listed, signer=did_key_signer(OTHER),
                                                                created=CREATED)).encode())
        credential = add_proof(_credential(issuer=OTHER.did_key, status=status_entry(url, 3, "revocation")),
                               signer=did_key_signer(OTHER), created=CREATED)
        clock = [1000.0]
        engine = make_engine(VerifierSettings(), fetcher=clocked_fetcher(server, certs, clock, 300), registry=FrameworkRegistry.bundled(),
                             clock=lambda: datetime(2026, 6, 1, tzinfo=UTC))
        assert engine.verify_value(credential).verified
        clock[0] += 3  # older than a 2 s ttl, younger than the guard's 300 s
        assert engine.verify_value(credential).verified
        assert [path for path, _ in server.requests] == ["/status/1"] * fetches


def test_a_fetch_budget_is_shared_by_the_fetches_inside_it(certs):
    from verifier.resolvers import fetch_budget

    routes = {"/slow": Route(b"{}", delay_s=3.0), "/fast": Route(b'{"ok": true}')}
    with RouteServer(routes, tls_cert=certs[0]) as server:
        fetcher = fetcher_for(f"localhost:{server.port}", ca=certs[1], timeout_s=5.0)
        with fetch_budget(0.5):
            with pytest.raises(FetchError) as slow:
                fetcher.fetch(server.url("/slow"))  # the budget, not the 5 s timeout, ends it
            with pytest.raises(FetchError) as spent:
                fetcher.fetch(server.url("/fast"))
        assert (slow.value.code, spent.value.code) == ("fetch_timeout", "fetch_budget_spent")
        assert [path for path, _ in server.requests] == ["/slow"]  # a spent budget sends nothing
        assert fetcher.fetch(server.url("/fast")) == b'{"ok": true}'  # outside the budget: as before


def test_one_request_s_fetches_share_its_budget_across_a_batch(certs):
    """A batch whose credentials cite slow status lists: the first list uses up the request's
    budget and the others are not fetched; each is cannot-check, never "not revoked"."""
    import json
    from datetime import UTC, datetime

    from issuer.cryptosuites import add_proof
    from issuer.frameworks import FrameworkRegistry
    from issuer.keys import did_key_signer
    from issuer.status import status_entry
    from tests.verifier.fixtures.generate import CREATED, OTHER, _credential
    from verifier.app import create_app

    with RouteServer({f"/status/{i}": Route(b"{}", delay_s=3.0) for i in range(3)}, tls_cert=certs[0]) as server:
        credentials = [add_proof(_credential(issuer=OTHER.did_key,
                                             status=status_entry(server.url(f"/status/{i}"), 3, "revocation")),
                                 signer=did_key_signer(OTHER), created=CREATED) for i in range(3)]
        settings = VerifierSettings(allowed_hosts=[f"localhost:{server.port}"], ca_file=str(certs[1]),
                                    request_fetch_budget_s=0.5)
        app = create_app(settings, registry=FrameworkRegistry.bundled(), clock=lambda: datetime(2026, 6, 1, tzinfo=UTC))
        response = app.test_client().post("/credentials/verify:batch", data=json.dumps(
            {"verifiableCredentials": credentials}), content_type="application/json")
        statuses = [next(c for c in r["checks"] if c["check"] == "status") for r in response.get_json()["results"]]
        assert [s["outcome"] for s in statuses] == ["cannot-check"] * 3
        assert "did not answer in time" in statuses[0]["summary"]
        assert all("time for fetching is spent" in s["summary"] for s in statuses[1:])
        assert [path for path, _ in server.requests] == ["/status/0"]


def test_a_failed_fetch_is_remembered_for_a_few_seconds():
    """A publisher that is down costs one lookup per `failure_ttl_s`, not one per verification."""
    lookups, clock = [], [1000.0]

    def unanswered(host, port):
        lookups.append(host)
        raise OSError("no answer")

    fetcher = GuardedFetcher(GuardPolicy(failure_ttl_s=10), resolve=unanswered, monotonic=lambda: clock[0])
    for _ in range(3):
        with pytest.raises(FetchError) as failed:
            fetcher.fetch("https://down.example/frameworks/x/versions.json")
        assert failed.value.code == "fetch_dns"
    assert lookups == ["down.example"]
    with pytest.raises(FetchError):
        fetcher.fetch("https://down.example/other.json")  # another URL is asked for itself
    clock[0] += 10
    with pytest.raises(FetchError):
        fetcher.fetch("https://down.example/frameworks/x/versions.json")
    assert lookups == ["down.example"] * 3
    with pytest.raises(FetchError) as malformed:
        fetcher.fetch("ftp://down.example/x")  # about the URL, not the remote side: never remembered
    assert malformed.value.code == "fetch_url_invalid" and "failed within" not in str(malformed.value)
