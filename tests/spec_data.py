"""Paths to the spec data the tests check against: unmodified copies of the W3C, 1EdTech and
Bitstring Status List examples and vectors (tests/spec/examples, see its README.md for provenance)
and of the framework publisher's export (tests/spec/pharmacy-technicians.v26.05.json)."""

from pathlib import Path

SPEC_EXAMPLES = Path(__file__).resolve().parent / "spec" / "examples"
FRAMEWORK_FILE = Path(__file__).resolve().parent / "spec" / "pharmacy-technicians.v26.05.json"
