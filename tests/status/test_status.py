"""Bitstring Status List v1.0: codec, list credentials, entries and read_status (BSL §2, §3)."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from issuer.errors import StatusListError
from issuer.status import (
    MIN_ENTRIES,
    PROBLEM_TYPES,
    Bitstring,
    read_status,
    status_entry,
    status_list_credential,
)
from tests.spec_data import SPEC_EXAMPLES

EXAMPLES = SPEC_EXAMPLES.joinpath("bitstring-status-list")
ALL_ZERO_REFERENCE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
LIST_URL = "https://issuer.example/status/7"


def _example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def _encode_raw(data: bytes, prefix: str = "u") -> str:
    return prefix + base64.urlsafe_b64encode(gzip.compress(data)).rstrip(b"=").decode()


# --- the codec -------------------------------------------------------------------------


def test_reference_all_zero_list_decodes_to_131072_zero_bits():
    bitstring = Bitstring.decode(ALL_ZERO_REFERENCE)
    assert bitstring.length == MIN_ENTRIES
    assert bitstring.to_bytes() == bytes(MIN_ENTRIES // 8)


def test_our_empty_list_decodes_to_the_same_bits_as_the_reference():
    ours = Bitstring().encode()
    assert ours.startswith("u")
    assert Bitstring.decode(ours).to_bytes() == Bitstring.decode(ALL_ZERO_REFERENCE).to_bytes()


def test_bit_order_is_left_to_right_within_each_byte():
    bitstring = Bitstring()
    bitstring.set(0)
    bitstring.set(9)
    bitstring.set(MIN_ENTRIES - 1)
    raw = bitstring.to_bytes()
    assert raw[0] == 0x80 and raw[1] == 0x40 and raw[-1] == 0x01
    assert sum(bin(b).count("1") for b in raw) == 3


def test_encoded_list_is_multibase_base64url_without_padding():
    bitstring = Bitstring()
    bitstring.set(12345)
    encoded = bitstring.encode()
    assert encoded[0] == "u" and "=" not in encoded and "+" not in encoded and "/" not in encoded
    body = encoded[1:]
    raw = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert raw[12345 // 8] == 0x80 >> (12345 % 8)


def test_legacy_statuslist2021_without_prefix_decodes():
    data = bytearray(MIN_ENTRIES // 8)
    data[5] = 0x01
    legacy = _encode_raw(bytes(data), prefix="")
    bitstring = Bitstring.decode(legacy)
    assert bitstring.get(47) == 1 and bitstring.get(46) == 0


@settings(max_examples=60, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=MIN_ENTRIES - 1), max_size=40), st.integers(0, MIN_ENTRIES - 1))
def test_set_get_round_trip_through_encoding(indexes, probe):
    bitstring = Bitstring()
    for i in indexes:
        bitstring.set(i)
    decoded = Bitstring.decode(bitstring.encode())
    assert {i for i in indexes if decoded.get(i) == 1} == indexes
    assert decoded.get(probe) == (1 if probe in indexes else 0)
    assert sum(bin(b).count("1") for b in decoded.to_bytes()) == len(indexes)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 4), st.data())
def test_multi_bit_status_round_trip(size, data):
    bitstring = Bitstring(status_size=size)
    values = data.draw(st.dictionaries(st.integers(0, MIN_ENTRIES - 1), st.integers(0, (1 << size) - 1), max_size=20))
    for index, value in values.items():
        bitstring.set(index, value)
    decoded = Bitstring.decode(bitstring.encode(), status_size=size)
    assert decoded.length == MIN_ENTRIES
    for index, value in values.items():
        assert decoded.get(index) == value


def test_unsetting_a_bit_clears_only_that_bit():
    bitstring = Bitstring()
    bitstring.set(8)
    bitstring.set(9)
    bitstring.set(8, 0)
    assert (bitstring.get(8), bitstring.get(9)) == (0, 1)


@pytest.mark.parametrize(
    ("encoded", "code"),
    [
        ("", "status_list_encoding"),
        ("u!!!not-base64", "status_list_encoding"),
        ("u" + base64.urlsafe_b64encode(b"not gzip at all").decode(), "status_list_encoding"),
        (_encode_raw(bytes(MIN_ENTRIES // 8))[:-6], "status_list_encoding"),
        (_encode_raw(bytes(MIN_ENTRIES // 8 - 1)), "status_list_length"),
        (_encode_raw(b""), "status_list_length"),
    ],
)
def test_decode_errors_have_codes(encoded, code):
    with pytest.raises(StatusListError) as info:
        Bitstring.decode(encoded)
    assert info.value.code == code


def test_length_is_counted_in_entries_of_status_size():
    encoded = _encode_raw(bytes(MIN_ENTRIES // 8))
    assert Bitstring.decode(encoded, status_size=1).length == MIN_ENTRIES
    with pytest.raises(StatusListError) as info:
        Bitstring.decode(encoded, status_size=2)
    assert info.value.code == "status_list_length"


def test_gzip_bomb_is_refused():
    with pytest.raises(StatusListError) as info:
        Bitstring.decode(_encode_raw(bytes(17 * 1024 * 1024)))
    assert info.value.code == "status_list_encoding"


@pytest.mark.parametrize("bad", [-1, MIN_ENTRIES, 10**9, True, "3"])
def test_out_of_range_index(bad):
    bitstring = Bitstring()
    for op in (lambda: bitstring.get(bad), lambda: bitstring.set(bad)):
        with pytest.raises(StatusListError) as info:
            op()
        assert info.value.code == "status_range"


def test_short_list_cannot_be_created_and_value_must_fit():
    with pytest.raises(StatusListError) as info:
        Bitstring(MIN_ENTRIES - 1)
    assert info.value.code == "status_list_length"
    with pytest.raises(StatusListError) as info:
        Bitstring().set(1, 2)
    assert info.value.code == "status_range"


# --- list credential, entry, read_status ------------------------------------------------


def test_signed_examples_decode_and_the_revocable_index_reads_zero():
    for suffix in ("unsigned", "eddsa-rdfc-2022"):
        status_list = _example(f"status-list-credential.{suffix}.json")
        revocable = _example(f"revocable-credential.{suffix}.json")
        bits = Bitstring.decode(status_list["credentialSubject"]["encodedList"])
        assert bits.length == MIN_ENTRIES and not any(bits.to_bytes())
        assert read_status(status_list, revocable["credentialStatus"]) == 0


def test_read_status_sees_a_revocation_in_the_example_list():
    status_list = _example("status-list-credential.unsigned.json")
    entry = _example("revocable-credential.unsigned.json")["credentialStatus"]
    bits = Bitstring.decode(status_list["credentialSubject"]["encodedList"])
    bits.set(int(entry["statusListIndex"]))
    status_list["credentialSubject"]["encodedList"] = bits.encode()
    assert read_status(status_list, entry) == 1
    neighbour = dict(entry, statusListIndex=str(int(entry["statusListIndex"]) + 1))
    assert read_status(status_list, neighbour) == 0


def _our_list(purpose="revocation", revoked=()):
    bits = Bitstring()
    for i in revoked:
        bits.set(i)
    return status_list_credential(
        list_url=LIST_URL,
        issuer={"id": "did:web:issuer.example", "name": "Issuer"},
        purpose=purpose,
        bitstring=bits,
        valid_from=datetime(2025, 1, 1, 12, 30, tzinfo=timezone.utc),
        valid_until=datetime(2025, 1, 2, 14, 30, tzinfo=timezone(timedelta(hours=2))),
        ttl_ms=300_000,
    )


def test_status_list_credential_shape():
    credential = _our_list()
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["id"] == LIST_URL
    assert credential["validFrom"] == "2025-01-01T12:30:00Z"
    assert credential["validUntil"] == "2025-01-02T12:30:00Z"
    subject = credential["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    assert subject["id"] != LIST_URL and subject["ttl"] == 300_000
    assert Bitstring.decode(subject["encodedList"]).length == MIN_ENTRIES


def test_status_list_credential_canonicalizes_in_safe_mode():
    from issuer.canonical import rdfc_nquads

    nquads = rdfc_nquads(_our_list(purpose=["revocation", "suspension"]))
    assert "<https://www.w3.org/ns/credentials/status#BitstringStatusList>" in nquads
    assert nquads.count("<https://www.w3.org/ns/credentials/status#statusPurpose>") == 2


def test_status_entry_shape_and_round_trip():
    entry = status_entry(LIST_URL, 94567, "revocation")
    assert entry == {
        "id": f"{LIST_URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }
    assert read_status(_our_list(revoked=[94567]), entry) == 1
    assert read_status(_our_list(revoked=[94566]), entry) == 0


def test_multi_bit_entry_needs_messages():
    with pytest.raises(StatusListError) as info:
        status_entry(LIST_URL, 3, "message", status_size=2)
    assert info.value.code == "status_entry_invalid"
    messages = [{"status": f"0x{i}", "message": m} for i, m in enumerate("abcd")]
    entry = status_entry(LIST_URL, 3, "message", status_size=2, status_message=messages)
    bits = Bitstring(status_size=2)
    bits.set(3, 2)
    listing = status_list_credential(
        list_url=LIST_URL, issuer="did:web:issuer.example", purpose="message",
        bitstring=bits, valid_from="2025-01-01T00:00:00Z",
    )
    assert read_status(listing, entry) == 2


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda lst, e: e.update(statusPurpose="suspension"), "status_purpose_mismatch"),
        (lambda lst, e: e.update(statusListIndex=str(MIN_ENTRIES)), "status_range"),
        (lambda lst, e: e.update(statusListIndex=94567), "status_index_invalid"),
        (lambda lst, e: e.update(statusListIndex="-1"), "status_index_invalid"),
        (lambda lst, e: e.update(statusListIndex="0x10"), "status_index_invalid"),
        (lambda lst, e: e.update(type="1EdTechRevocationList"), "status_entry_invalid"),
        (lambda lst, e: e.update(statusListCredential=LIST_URL + "x"), "status_list_mismatch"),
        (lambda lst, e: lst.update(type=["VerifiableCredential"]), "status_list_type"),
        (lambda lst, e: lst["credentialSubject"].update(type="Person"), "status_list_type"),
        (lambda lst, e: lst["credentialSubject"].update(encodedList="uAAAA"), "status_list_encoding"),
        (lambda lst, e: lst["credentialSubject"].update(encodedList=_encode_raw(bytes(100))), "status_list_length"),
        (lambda lst, e: e.update(statusSize=0), "status_size_invalid"),
    ],
)
def test_read_status_errors(change, code):
    listing, entry = _our_list(), status_entry(LIST_URL, 94567, "revocation")
    change(listing, entry)
    with pytest.raises(StatusListError) as info:
        read_status(listing, entry)
    assert info.value.code == code
    assert code in PROBLEM_TYPES


def test_builder_argument_errors():
    with pytest.raises(StatusListError) as info:
        status_entry(LIST_URL, 1, "revoke")
    assert info.value.code == "status_purpose_invalid"
    with pytest.raises(StatusListError) as info:
        status_entry(LIST_URL, -5, "revocation")
    assert info.value.code == "status_index_invalid"
    with pytest.raises(StatusListError) as info:
        status_list_credential(
            list_url=LIST_URL, issuer="did:web:x", purpose="revocation",
            bitstring=Bitstring(), valid_from=datetime(2025, 1, 1),
        )
    assert info.value.code == "status_date_invalid"
