"""Shared fixtures for the JSON-LD processor tests: spec files and the pyld oracle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld as pyld

from issuer.contexts import document_loader
from tests.spec_data import SPEC_EXAMPLES

SPEC = SPEC_EXAMPLES
if not SPEC.exists():  # the repo-local copy, when the shared folder is not mounted
    SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "examples"
DATA = Path(__file__).parent / "data"
V2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def pyld_nquads(document: dict) -> str:
    """The oracle: pyld 3.3 URDNA2015 over the bundled contexts."""
    return pyld.normalize(document, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                     "documentLoader": document_loader})


@pytest.fixture(scope="session")
def spec() -> Path:
    if not SPEC.exists():
        pytest.skip("spec examples folder not available")
    return SPEC
