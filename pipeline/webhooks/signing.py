"""The signature of a webhook delivery.

Each POST carries

    Badgeline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>
    Badgeline-Event: credential.issued | credential.revoked | credential.expiring
    Badgeline-Delivery: <delivery id>   (the same on every retry: deduplicate on it)

The receiver recomputes the HMAC over the exact body bytes with the secret it was shown
once at registration, compares in constant time, and refuses timestamps older than a few
minutes (replays). `verify_signature` does exactly that.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Badgeline-Signature"
EVENT_HEADER = "Badgeline-Event"
DELIVERY_HEADER = "Badgeline-Delivery"
TOLERANCE_S = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of `"<timestamp>." + body` keyed with `secret`."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify_signature(secret: str, header: str, body: bytes, *, now: float, tolerance_s: int = TOLERANCE_S) -> bool:
    """True when `header` signs `body` with `secret` and its timestamp is within `tolerance_s` of `now`."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        fields.setdefault(name, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in fields.get("v1", []))
