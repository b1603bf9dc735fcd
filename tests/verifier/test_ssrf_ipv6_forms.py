"""Issue 10, finding 8: IPv6 forms of private IPv4 addresses are refused like the IPv4 address
they reach (NAT64, 6to4, IPv4-compatible, IPv4-mapped and -translated), through the guard
itself (a name resolving to them) as well as the address check. On main these passed."""

from __future__ import annotations

import ipaddress

import pytest

from verifier.errors import FetchError
from verifier.resolvers import GuardedFetcher, GuardPolicy, address_is_public

PRIVATE_FORMS = [
    "64:ff9b::a9fe:a9fe",        # NAT64 of 169.254.169.254 (cloud metadata)
    "64:ff9b::7f00:1",           # NAT64 of 127.0.0.1
    "64:ff9b::a00:1",            # NAT64 of 10.0.0.1
    "64:ff9b:1::a9fe:a9fe",      # local-use NAT64 (RFC 8215)
    "64:ff9b:1:ffff::808:808",   # local-use NAT64, whatever it embeds
    "2002:7f00:1::1",            # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::1",         # 6to4 of 169.254.169.254
    "2002:c0a8:101::1",          # 6to4 of 192.168.1.1
    "::7f00:1",                  # IPv4-compatible 127.0.0.1
    "::a9fe:a9fe",               # IPv4-compatible 169.254.169.254
    "::ffff:0:a9fe:a9fe",        # IPv4-translated (SIIT) 169.254.169.254
    "::ffff:0:7f00:1",           # IPv4-translated 127.0.0.1
    "::ffff:a9fe:a9fe",          # IPv4-mapped 169.254.169.254
    "::ffff:7f00:1",             # IPv4-mapped 127.0.0.1
]
PUBLIC_FORMS = ["64:ff9b::808:808", "2002:808:808::1", "::ffff:808:808", "2606:4700:4700::1111"]


@pytest.mark.parametrize("text", PRIVATE_FORMS)
def test_ipv6_forms_of_private_ipv4_are_not_public(text):
    assert address_is_public(ipaddress.ip_address(text)) is False


@pytest.mark.parametrize("text", PUBLIC_FORMS)
def test_ipv6_forms_of_public_ipv4_stay_public(text):
    assert address_is_public(ipaddress.ip_address(text)) is True


@pytest.mark.parametrize("text", PRIVATE_FORMS)
def test_the_guard_refuses_a_name_resolving_to_them_before_connecting(text):
    fetcher = GuardedFetcher(GuardPolicy(), resolve=lambda host, port: [text])
    with pytest.raises(FetchError) as refused:
        fetcher.fetch("https://badges.example.org/status/1")
    assert refused.value.code == "fetch_forbidden"
