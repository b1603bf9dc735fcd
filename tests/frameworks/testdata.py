"""Paths and bytes of the TEST DATA framework files (tests/frameworks/data/testdata/README.md)."""

from __future__ import annotations

from pathlib import Path

TESTDATA = Path(__file__).resolve().parent / "data" / "testdata"
PT_V2611 = TESTDATA / "pharmacy-technicians.v26.11.TEST.json"
PT_V2611_POLICY = TESTDATA / "pharmacy-technicians.v26.11.TEST.policy.json"
CROSSWALK = TESTDATA / "crosswalk.v26.05-v26.11.TEST.json"
SURGICAL = TESTDATA / "surgical-technologists.v26.10.TEST.json"
PT, SURG = "29-2052.00", "29-2055.00"
