"""Sign and verify N realistic credentials; print rates beside the W3C reference implementation.

    python -m bench.credentials_bench [-n 300] [--no-reference]

The credential is the Proficient level credential of the Pharmacy Technician framework
(ten statement alignments, evidence, status entry), signed with eddsa-rdfc-2022 by a did:key
issuer. Figures are per core: this process is single-threaded, as is node's. The reference
(@digitalbazaar/vc, installed by `npm ci --prefix interop`) runs on the same machine in the
same run, so the ratio is what to read: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from issuer.credentials import EvidenceItem, IssuerProfile, ProviderProfile, Recipient, build_achievement_credential
from issuer.cryptosuites import add_proof, verify_proofs
from issuer.dids import resolve_did_key
from issuer.frameworks.registry import FrameworkRegistry
from issuer.frameworks.urls import FrameworkUrls
from issuer.keys import Ed25519Key, did_key_signer
from issuer.status import status_entry

ROOT = Path(__file__).resolve().parents[1]
SEED = bytes(range(32))
CREATED = "2026-11-20T15:04:05Z"


def realistic_credential(key: Ed25519Key) -> dict:
    """The Proficient credential as the pipeline issues it (unsigned)."""
    framework = FrameworkRegistry.bundled().get("29-2052.00", "v.26.05")
    base = "https://badges.example.org"
    when = datetime(2026, 11, 20, 15, 4, 5, tzinfo=timezone.utc)
    level = framework.level("proficient")
    return build_achievement_credential(
        framework=framework,
        level="proficient",
        urls=FrameworkUrls(base),
        issuer=IssuerProfile(id=key.did_key, name="Example Credentialing Service", url=base),
        recipient=Recipient(name="Ana Diaz", email="ana@example.org", salt="0f1e2d3c4b5a6978"),
        credential_id="urn:uuid:6f1c9f3e-3b1a-4d7e-9a52-0c3f5e2b7d41",
        valid_from=when,
        evidence=[
            EvidenceItem(id=f"{base}/assessments/quiz-{i}", name=f"Dispensing workflow {i}",
                         description=None, narrative=None, provider_name="Northside Pharmacy College",
                         statements=tuple(s.code for s in level.statements[i * 5:(i + 1) * 5]), assessed_at=when)
            for i in range(2)
        ],
        sources=[ProviderProfile(id=f"{base}/providers/northside", name="Northside Pharmacy College")],
        status_entry=status_entry(f"{base}/status/1", 40213, "revocation"),
    )


def progress(label: str, done: int, total: int) -> None:
    if done == total or done % max(1, total // 20) == 0:
        sys.stderr.write(f"\r{label}: {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def time_ours(unsigned: dict, key: Ed25519Key, n: int) -> dict:
    signer = did_key_signer(key)
    sign_ms, verify_ms = [], []
    signed = None
    for i in range(n):
        t0 = time.perf_counter()
        signed = add_proof(unsigned, signer=signer, created=CREATED)
        sign_ms.append((time.perf_counter() - t0) * 1000)
        progress("ours: sign", i + 1, n)
    for i in range(n):
        t0 = time.perf_counter()
        results = verify_proofs(signed, resolve_key=resolve_did_key)
        verify_ms.append((time.perf_counter() - t0) * 1000)
        if not all(r.verified for r in results):
            raise SystemExit(f"our own credential failed to verify: {results}")
        progress("ours: verify", i + 1, n)
    return summarize(sign_ms, verify_ms) | {"proofValue": signed["proof"]["proofValue"]}


def summarize(sign_ms: list[float], verify_ms: list[float]) -> dict:
    return {
        "sign_per_s": 1000 * len(sign_ms) / sum(sign_ms),
        "verify_per_s": 1000 * len(verify_ms) / sum(verify_ms),
        "sign_median_ms": statistics.median(sign_ms),
        "verify_median_ms": statistics.median(verify_ms),
    }


def time_reference(unsigned: dict, n: int) -> dict | None:
    script = ROOT / "interop" / "bench.js"
    if not shutil.which("node") or not (ROOT / "interop" / "node_modules").is_dir() or not script.exists():
        print("reference: skipped (run `npm ci --prefix interop` with node installed)", file=sys.stderr)
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump({"credential": unsigned, "seedHex": SEED.hex(), "created": CREATED}, fh)
    print("reference: running @digitalbazaar/vc …", file=sys.stderr)
    out = subprocess.run(["node", str(script), str(n), fh.name], capture_output=True, text=True, check=True)
    Path(fh.name).unlink()
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=300, help="credentials to sign and to verify (default 300)")
    parser.add_argument("--no-reference", action="store_true", help="skip the node reference run")
    args = parser.parse_args(argv)

    key = Ed25519Key.from_seed(SEED)
    unsigned = realistic_credential(key)
    print(f"credential: {len(json.dumps(unsigned))} bytes of JSON, "
          f"{len(unsigned['credentialSubject']['achievement']['alignment'])} alignments; n={args.n}")
    ours = time_ours(unsigned, key, args.n)
    ref = None if args.no_reference else time_reference(unsigned, args.n)
    rows = [("badgeline", ours)] + ([("reference", ref)] if ref else [])
    print(f"{'':12}{'sign/s':>10}{'verify/s':>10}{'sign ms':>10}{'verify ms':>11}")
    for name, r in rows:
        print(f"{name:12}{r['sign_per_s']:10.1f}{r['verify_per_s']:10.1f}"
              f"{r['sign_median_ms']:10.2f}{r['verify_median_ms']:11.2f}")
    if ref:
        print(f"ratio (ours / reference): sign {ours['sign_per_s'] / ref['sign_per_s']:.2f}x, "
              f"verify {ours['verify_per_s'] / ref['verify_per_s']:.2f}x")
        if ref.get("proofValue"):
            same = ref["proofValue"] == ours["proofValue"]
            print(f"identical proofValue to the reference: {same}")


if __name__ == "__main__":
    main()
