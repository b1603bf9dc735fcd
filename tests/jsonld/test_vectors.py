"""Byte-identical canonical N-Quads for the W3C and OB 3.0 test vectors (the files are the truth),
and agreement with pyld (the oracle) on every example document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from issuer.jsonld import canonical_nquads

from .conftest import DATA, SPEC, load, pyld_nquads

RDFC = SPEC / "vc-di-eddsa" / "eddsa-rdfc-2022"
OB_VECTOR = SPEC / "ob3-eddsa-rdfc-2022-test-vector"


def _without_proof(path: Path) -> dict:
    doc = load(path)
    doc.pop("proof", None)
    return doc


def _proof_config(config: Path, document: dict) -> dict:
    cfg = load(config)
    cfg.setdefault("@context", document["@context"])
    return cfg


@pytest.mark.parametrize("folder", [RDFC, RDFC / "employ"], ids=["alumni", "employ"])
def test_w3c_eddsa_rdfc_2022_vectors(folder: Path) -> None:
    doc = _without_proof(folder / "signedDataInt.json")
    assert canonical_nquads(doc) == (folder / "canonDocDataInt.txt").read_text(encoding="utf-8")
    cfg = _proof_config(folder / "proofConfigDataInt.json", doc)
    assert canonical_nquads(cfg) == (folder / "proofCanonDataInt.txt").read_text(encoding="utf-8")


def test_ob3_vector() -> None:
    doc = load(OB_VECTOR / "unsigned-credential.json")
    assert canonical_nquads(doc) == (OB_VECTOR / "document-canon.nq").read_text(encoding="utf-8")
    cfg = _proof_config(OB_VECTOR / "proof-options.json", doc)
    assert canonical_nquads(cfg) == (OB_VECTOR / "proof-canon.nq").read_text(encoding="utf-8")


def _examples() -> list[Path]:
    found = sorted(p for p in SPEC.rglob("*.json") if "@context" in json.loads(p.read_text(encoding="utf-8")))
    return found + [DATA / "ob-credential-40-alignments.json"]


@pytest.mark.parametrize("path", _examples(), ids=lambda p: str(p.relative_to(p.parents[1])))
def test_every_example_matches_pyld(path: Path) -> None:
    doc = load(path)
    assert canonical_nquads(doc) == pyld_nquads(doc)
    unsigned = dict(doc)
    if unsigned.pop("proof", None) is not None:
        assert canonical_nquads(unsigned) == pyld_nquads(unsigned)


def test_the_examples_are_many() -> None:
    # guards the parametrization above against silently finding nothing
    assert len(_examples()) >= 30
