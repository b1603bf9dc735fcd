"""Shared fixtures for the crypto tests: the W3C and OB test vectors, copied unmodified
from the spec repositories (provenance: vectors/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from issuer.keys import Ed25519Key

VECTORS = Path(__file__).parent / "vectors"
W3C = VECTORS / "vc-di-eddsa"
OB = VECTORS / "ob3-eddsa-rdfc-2022-test-vector"
BSL = VECTORS / "bitstring-status-list"


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def load_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def w3c_key() -> Ed25519Key:
    return Ed25519Key.from_secret_multikey(load_json(W3C / "keyPair.json")["privateKeyMultibase"])


@pytest.fixture(scope="session")
def alumni() -> dict[str, Any]:
    return load_json(W3C / "unsigned.json")
