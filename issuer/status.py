"""Bitstring Status List v1.0 (W3C REC): the bitstring codec, list credentials and entries.

BSL §2.1 (BitstringStatusListEntry), §2.2 (BitstringStatusListCredential), §3.1 (bitstring
generation), §3.2 (validate algorithm), §3.3 (bitstring expansion). Legacy StatusList2021
encoded lists (no multibase `u` prefix) decode too. Verifying the list credential's proof is
the caller's job; `read_status` assumes a list credential that has already been verified.
"""

from __future__ import annotations

import base64
import re
import zlib
from datetime import datetime
from typing import Any, Mapping

from issuer.dates import DateError, format_datetime_z, parse_datetime_z
from issuer.errors import StatusListError
from issuer.problems import MALFORMED_VALUE_ERROR, RANGE_ERROR, STATUS_LIST_LENGTH_ERROR, STATUS_VERIFICATION_ERROR

MIN_ENTRIES = 131_072
"""BSL §3.2 minimumNumberOfEntries (16 KiB of 1-bit entries)."""

MAX_DECODED_BYTES = 16 * 1024 * 1024
"""Refuse lists that expand beyond this (a gzip bomb guard; 134M 1-bit entries)."""

PURPOSES = frozenset({"revocation", "suspension", "refresh", "message"})
"""BSL §2.1 statusPurpose values."""

LIST_CREDENTIAL_TYPES = frozenset({"BitstringStatusListCredential", "StatusList2021Credential"})
ENTRY_TYPES = frozenset({"BitstringStatusListEntry", "StatusList2021Entry"})
LIST_SUBJECT_TYPES = frozenset({"BitstringStatusList", "StatusList2021"})

PROBLEM_TYPES: dict[str, str] = {
    "status_list_encoding": MALFORMED_VALUE_ERROR,
    "status_list_length": STATUS_LIST_LENGTH_ERROR,
    "status_range": RANGE_ERROR,
    "status_purpose_mismatch": STATUS_VERIFICATION_ERROR,
    "status_list_mismatch": STATUS_VERIFICATION_ERROR,
    "status_list_type": STATUS_VERIFICATION_ERROR,
    "status_entry_invalid": MALFORMED_VALUE_ERROR,
    "status_index_invalid": MALFORMED_VALUE_ERROR,
    "status_size_invalid": MALFORMED_VALUE_ERROR,
    "status_purpose_invalid": MALFORMED_VALUE_ERROR,
}
"""Our StatusListError codes -> ProblemDetails type (VCDM §7.1, BSL §3.7)."""

_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*={0,2}$")
_INDEX = re.compile(r"^(0|[1-9][0-9]*)$")


class Bitstring:
    """A status bitstring: entry `i` occupies bits i*size .. i*size+size-1, counted from the left.

    BSL §3.1: bit `b` lives in byte b // 8 under mask 0x80 >> (b % 8).
    """

    __slots__ = ("_bits", "status_size")

    def __init__(self, length: int = MIN_ENTRIES, *, status_size: int = 1) -> None:
        _check_status_size(status_size)
        if not isinstance(length, int) or length < MIN_ENTRIES:
            raise StatusListError(
                f"a status list holds at least {MIN_ENTRIES} entries, not {length!r}", code="status_list_length"
            )
        self.status_size = status_size
        self._bits = bytearray(-(-length * status_size // 8))

    @property
    def length(self) -> int:
        """Number of entries (bits / statusSize)."""
        return len(self._bits) * 8 // self.status_size

    def get(self, index: int) -> int:
        """The status value of entry `index` (most significant bit first)."""
        value = 0
        for bit in self._positions(index):
            value = (value << 1) | (1 if self._bits[bit // 8] & (0x80 >> (bit % 8)) else 0)
        return value

    def set(self, index: int, value: int = 1) -> None:
        """Set entry `index` to `value` (0 .. 2**status_size - 1)."""
        if not isinstance(value, int) or not 0 <= value < (1 << self.status_size):
            raise StatusListError(
                f"status value {value!r} does not fit in {self.status_size} bit(s)", code="status_range"
            )
        positions = self._positions(index)
        for offset, bit in enumerate(positions):
            mask = 0x80 >> (bit % 8)
            if (value >> (len(positions) - 1 - offset)) & 1:
                self._bits[bit // 8] |= mask
            else:
                self._bits[bit // 8] &= ~mask & 0xFF

    def to_bytes(self) -> bytes:
        """The uncompressed bitstring."""
        return bytes(self._bits)

    def encode(self) -> str:
        """BSL §3.1 step 3: `u` + base64url-no-pad(GZIP(bitstring)) (multibase base64url)."""
        gz = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container, mtime 0
        packed = gz.compress(bytes(self._bits)) + gz.flush()
        return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")

    @classmethod
    def from_bytes(cls, data: bytes, *, status_size: int = 1) -> Bitstring:
        """Wrap an uncompressed bitstring (BSL §3.2 step 9 length check applies)."""
        _check_status_size(status_size)
        if len(data) * 8 // status_size < MIN_ENTRIES:
            raise StatusListError(
                f"status list has {len(data) * 8 // status_size} entries; at least {MIN_ENTRIES} required",
                code="status_list_length",
            )
        bitstring = cls.__new__(cls)
        bitstring.status_size = status_size
        bitstring._bits = bytearray(data)
        return bitstring

    @classmethod
    def decode(cls, encoded: str, status_size: int = 1) -> Bitstring:
        """BSL §3.3 bitstring expansion: strip `u`, base64url-decode, GUNZIP.

        Without the `u` prefix the value is read as a legacy StatusList2021 encodedList.
        """
        return cls.from_bytes(_expand(encoded), status_size=status_size)

    def _positions(self, index: int) -> range:
        if isinstance(index, bool) or not isinstance(index, int) or index < 0 or index >= self.length:
            raise StatusListError(
                f"status index {index!r} is outside the list (0..{self.length - 1})", code="status_range"
            )
        start = index * self.status_size
        return range(start, start + self.status_size)


def _check_status_size(status_size: object) -> None:
    if isinstance(status_size, bool) or not isinstance(status_size, int) or status_size < 1:
        raise StatusListError(f"statusSize must be a positive integer, not {status_size!r}", code="status_size_invalid")


def _expand(encoded: object) -> bytes:
    if not isinstance(encoded, str) or not encoded:
        raise StatusListError("encodedList must be a non-empty string", code="status_list_encoding")
    body = encoded[1:] if encoded.startswith("u") else encoded
    if not _BASE64URL.match(body):
        raise StatusListError("encodedList is not base64url", code="status_list_encoding")
    body = body.rstrip("=")
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj(31)
        data = inflater.decompress(packed, MAX_DECODED_BYTES)
    except (ValueError, zlib.error) as exc:
        raise StatusListError(f"encodedList is not base64url(GZIP(...)): {exc}", code="status_list_encoding") from exc
    if inflater.unconsumed_tail:
        raise StatusListError(
            f"encodedList expands beyond {MAX_DECODED_BYTES} bytes", code="status_list_encoding"
        )
    if not inflater.eof:
        raise StatusListError("encodedList GZIP stream is truncated", code="status_list_encoding")
    return data


def _purposes(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items or any(not isinstance(p, str) or p not in PURPOSES for p in items):
        raise StatusListError(
            f"statusPurpose must be one or more of {sorted(PURPOSES)}, not {value!r}", code="status_purpose_invalid"
        )
    return list(items)


def _date(value: datetime | str, field: str) -> str:
    try:
        moment = parse_datetime_z(value) if isinstance(value, str) else value
        return format_datetime_z(moment)
    except (DateError, AttributeError) as exc:
        raise StatusListError(f"{field} is not an aware date-time: {value!r}", code="status_date_invalid") from exc


def status_list_credential(
    *,
    list_url: str,
    issuer: dict[str, Any] | str,
    purpose: str | list[str],
    bitstring: Bitstring,
    valid_from: datetime | str,
    valid_until: datetime | str | None = None,
    ttl_ms: int | None = None,
) -> dict[str, Any]:
    """An unsigned BitstringStatusListCredential (BSL §2.2, VCDM 2.0), to be secured like the badges."""
    purposes = _purposes(purpose)
    subject: dict[str, Any] = {
        "id": f"{list_url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": purposes[0] if isinstance(purpose, str) else purposes,
        "encodedList": bitstring.encode(),
    }
    if ttl_ms is not None:
        if isinstance(ttl_ms, bool) or not isinstance(ttl_ms, int) or ttl_ms < 0:
            raise StatusListError(f"ttl must be a non-negative integer of ms, not {ttl_ms!r}", code="status_ttl_invalid")
        subject["ttl"] = ttl_ms
    credential: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": _date(valid_from, "validFrom"),
    }
    if valid_until is not None:
        credential["validUntil"] = _date(valid_until, "validUntil")
    credential["credentialSubject"] = subject
    return credential


def status_entry(
    list_url: str,
    index: int,
    purpose: str,
    *,
    status_size: int = 1,
    status_message: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """A BitstringStatusListEntry (BSL §2.1): id `<list>#<index>`, index as a base-10 string.

    With `status_size` > 1, `status_message` must list 2**status_size `{status, message}` entries.
    """
    _purposes(purpose)
    _check_status_size(status_size)
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise StatusListError(f"statusListIndex must be an integer >= 0, not {index!r}", code="status_index_invalid")
    entry: dict[str, Any] = {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }
    if status_size > 1:
        if not status_message or len(status_message) != 1 << status_size:
            raise StatusListError(
                f"statusSize {status_size} needs {1 << status_size} statusMessage entries", code="status_entry_invalid"
            )
        entry["statusSize"] = status_size
        entry["statusMessage"] = status_message
    elif status_message is not None:
        entry["statusMessage"] = status_message
    return entry


def read_status(list_credential: Mapping[str, Any], entry: Mapping[str, Any]) -> int:
    """BSL §3.2 validate algorithm, steps after dereferencing and verifying the list: the status value.

    0 means the purpose does not apply (not revoked / not suspended). Raises StatusListError with
    codes status_entry_invalid, status_index_invalid, status_list_mismatch, status_list_type,
    status_purpose_mismatch, status_list_encoding, status_list_length, status_range.
    """
    index, status_size = _entry_position(entry)
    if entry.get("statusListCredential") != list_credential.get("id"):
        raise StatusListError(
            "the list credential's id is not the entry's statusListCredential", code="status_list_mismatch"
        )
    subject = _list_subject(list_credential)
    if entry.get("statusPurpose") not in _purposes(subject.get("statusPurpose")):
        raise StatusListError(
            f"the list does not carry statusPurpose {entry.get('statusPurpose')!r}", code="status_purpose_mismatch"
        )
    return Bitstring.decode(subject.get("encodedList"), status_size=status_size).get(index)


def _entry_position(entry: Mapping[str, Any]) -> tuple[int, int]:
    if not isinstance(entry, Mapping) or entry.get("type") not in ENTRY_TYPES:
        raise StatusListError("credentialStatus is not a BitstringStatusListEntry", code="status_entry_invalid")
    raw_index = entry.get("statusListIndex")
    if not isinstance(raw_index, str) or not _INDEX.match(raw_index):
        raise StatusListError(
            f"statusListIndex must be a base-10 string, not {raw_index!r}", code="status_index_invalid"
        )
    status_size = entry.get("statusSize", 1)
    _check_status_size(status_size)
    return int(raw_index), status_size


def _list_subject(list_credential: Mapping[str, Any]) -> Mapping[str, Any]:
    types = list_credential.get("type")
    types = types if isinstance(types, list) else [types]
    subject = list_credential.get("credentialSubject")
    if not LIST_CREDENTIAL_TYPES & set(t for t in types if isinstance(t, str)) or not isinstance(subject, Mapping):
        raise StatusListError("not a BitstringStatusListCredential", code="status_list_type")
    if subject.get("type") not in LIST_SUBJECT_TYPES:
        raise StatusListError("credentialSubject is not a BitstringStatusList", code="status_list_type")
    return subject
