"""A Python test holder: its own did:key (Ed25519) and OID4VCI `jwt` proofs signed by hand (no
joserfc: an independent implementation of the JWS the service checks)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from issuer.keys import Ed25519Key


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Holder:
    def __init__(self, key: Ed25519Key | None = None) -> None:
        self.key = key or Ed25519Key.generate()

    @property
    def did(self) -> str:
        return self.key.did_key

    @property
    def kid(self) -> str:
        return self.key.did_key_verification_method

    def proof(self, *, aud: str, nonce: str | None, iat: float | None = None, header: dict[str, Any] | None = None,
              claims: dict[str, Any] | None = None, signer: Ed25519Key | None = None) -> str:
        head = {"typ": "openid4vci-proof+jwt", "alg": "EdDSA", "kid": self.kid, **(header or {})}
        body: dict[str, Any] = {"aud": aud, "iat": int(time.time() if iat is None else iat), **(claims or {})}
        if nonce is not None:
            body["nonce"] = nonce
        signing_input = f"{b64url(json.dumps(head).encode())}.{b64url(json.dumps(body).encode())}"
        signature = (signer or self.key).sign(signing_input.encode())
        return f"{signing_input}.{b64url(signature)}"
