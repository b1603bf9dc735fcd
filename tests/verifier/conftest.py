"""Shared fixtures for the verifier tests: the scenario world, a fixed clock, engines and apps."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from issuer.frameworks import FrameworkRegistry
from verifier.app import VerifierSettings, create_app, make_engine
from verifier.engine import Verification, VerifierEngine
from verifier.errors import FetchError

FIXTURES = Path(__file__).parent / "fixtures"
SCENARIOS = FIXTURES / "scenarios"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


class WorldFetcher:
    """An in-memory `Fetcher` over url -> document: the network boundary, honestly implemented.

    Unknown URLs fail the way the guard does (`fetch_failed`); `calls` records every fetch.
    """

    def __init__(self, documents: dict[str, Any]) -> None:
        self.documents = {url: doc if isinstance(doc, bytes) else doc.encode() if isinstance(doc, str)
                          else json.dumps(doc).encode() for url, doc in documents.items()}  # a str is a JWT
        self.calls: list[str] = []

    def fetch(self, url: str, *, accept: str = "application/json", max_age_s: float | None = None) -> bytes:
        self.calls.append(url)
        if url not in self.documents:
            raise FetchError(f"fetching {url} failed: connection refused", code="fetch_failed")
        return self.documents[url]


def load_world() -> dict[str, Any]:
    return json.loads((FIXTURES / "world.json").read_text(encoding="utf-8"))


def load_scenario(name: str) -> dict[str, Any]:
    return json.loads((SCENARIOS / f"{name}.json").read_text(encoding="utf-8"))


def scenario_names() -> list[str]:
    return sorted(p.stem for p in SCENARIOS.glob("*.json"))


def scenario_bytes(case: dict[str, Any]) -> bytes:
    """The scenario input as the bytes a person would upload."""
    encoding, value = case["input"]["encoding"], case["input"]["value"]
    if encoding == "base64":
        return base64.b64decode(value)
    return value.encode() if encoding == "text" else json.dumps(value).encode()


def verify_scenario(engine: VerifierEngine, case: dict[str, Any]) -> Verification:
    return engine.verify_bytes(scenario_bytes(case), now=datetime.fromisoformat(case["now"].replace("Z", "+00:00")))


@pytest.fixture(scope="session")
def registry() -> FrameworkRegistry:
    return FrameworkRegistry.bundled()


@pytest.fixture
def world_fetcher() -> WorldFetcher:
    return WorldFetcher(load_world())


@pytest.fixture
def engine(world_fetcher: WorldFetcher, registry: FrameworkRegistry) -> VerifierEngine:
    return make_engine(VerifierSettings(), fetcher=world_fetcher, registry=registry, clock=lambda: NOW)


@pytest.fixture
def app(world_fetcher: WorldFetcher, registry: FrameworkRegistry):
    return create_app(VerifierSettings(), fetcher=world_fetcher, registry=registry, clock=lambda: NOW)


@pytest.fixture
def client(app):
    return app.test_client()
