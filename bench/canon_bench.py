"""Canonicalization benchmark: issuer.jsonld.canonical_nquads vs pyld (vs the reference).

Prints documents/s and median ms per canonicalization (one core) for
(a) the W3C alumni credential (vc-di-eddsa/unsigned.json) and
(b) a realistic OB 3.0 credential with 36 alignments (tests/jsonld/data/).
If node and the reference packages are available (interop/node_modules, from
`npm ci --prefix interop`; or NODE_PATH / --node-modules naming a folder holding `jsonld`),
also times jsonld.js + rdf-canonize in the same run.

    python -m bench.canon_bench [--n 300] [--node-modules DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pyld import jsonld as pyld  # noqa: E402

from issuer.contexts import document_loader  # noqa: E402
from issuer.jsonld import canonical_nquads  # noqa: E402

SPEC = ROOT / "tests" / "spec"  # the spec material the tests use, copied into the repository
DOCS = {
    "alumni (W3C)": SPEC / "examples" / "vc-di-eddsa" / "unsigned.json",
    "OB 36 alignments": ROOT / "tests" / "jsonld" / "data" / "ob-credential-40-alignments.json",
}


def _pyld(doc: dict) -> str:
    return pyld.normalize(doc, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                "documentLoader": document_loader})


def _time(fn: Callable[[dict], str], doc: dict, n: int) -> tuple[float, float]:
    for _ in range(min(20, n)):
        fn(doc)
    times = []
    start = time.perf_counter()
    for _ in range(n):
        t = time.perf_counter()
        fn(doc)
        times.append(time.perf_counter() - t)
    total = time.perf_counter() - start
    return n / total, statistics.median(times) * 1000


def _reference(path: Path, n: int, modules: str | None) -> tuple[float, float] | None:
    if shutil.which("node") is None or not modules or not (Path(modules) / "jsonld").exists():
        return None
    out = subprocess.run(["node", str(ROOT / "bench" / "canon_ref.js"), "time", str(path), str(n)],
                         capture_output=True, text=True, env={**os.environ, "NODE_PATH": modules})
    if out.returncode != 0:
        print(f"  reference failed: {out.stderr.strip()[:200]}", flush=True)
        return None
    data = json.loads(out.stdout)
    return data["per_s"], data["median_ms"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="iterations for ours (pyld gets n/10)")
    parser.add_argument("--node-modules", default=os.environ.get("NODE_PATH") or str(ROOT / "interop" / "node_modules"))
    args = parser.parse_args()
    for name, path in DOCS.items():
        doc = json.loads(path.read_text(encoding="utf-8"))
        size = len(json.dumps(doc, separators=(",", ":")).encode())
        if canonical_nquads(doc) != _pyld(doc):
            raise SystemExit(f"{name}: output differs from pyld")
        print(f"{name}: {size} bytes compact JSON, {canonical_nquads(doc).count(chr(10))} quads", flush=True)
        ours = _time(canonical_nquads, doc, args.n)
        print(f"  ours      {ours[0]:8.1f} docs/s  median {ours[1]:7.3f} ms", flush=True)
        theirs = _time(_pyld, doc, max(10, args.n // 10))
        print(f"  pyld      {theirs[0]:8.1f} docs/s  median {theirs[1]:7.3f} ms   (ours x{ours[0] / theirs[0]:.1f})",
              flush=True)
        ref = _reference(path, args.n, args.node_modules)
        if ref is None:
            print("  reference (jsonld.js + rdf-canonize): skipped (node or packages missing)", flush=True)
        else:
            print(f"  reference {ref[0]:8.1f} docs/s  median {ref[1]:7.3f} ms   (ours x{ours[0] / ref[0]:.1f})",
                  flush=True)


if __name__ == "__main__":
    main()
