from __future__ import annotations

import json
from pathlib import Path

import pytest

from issuer.frameworks import FrameworkRegistry, FrameworkUrls
from tests.spec_data import FRAMEWORK_FILE

BUNDLED_FILE = Path(__file__).resolve().parents[2] / "issuer/frameworks/data/pharmacy-technicians.v26.05.json"
SHARED_FILE = FRAMEWORK_FILE


@pytest.fixture(scope="session")
def registry() -> FrameworkRegistry:
    return FrameworkRegistry.bundled()


@pytest.fixture(scope="session")
def fw(registry):
    return registry.get("29-2052.00", "v.26.05")


@pytest.fixture(scope="session")
def urls() -> FrameworkUrls:
    return FrameworkUrls("https://badges.example.org")


@pytest.fixture
def doc() -> dict:
    """A fresh, mutable copy of the bundled document."""
    return json.loads(BUNDLED_FILE.read_bytes())


def dump(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")
