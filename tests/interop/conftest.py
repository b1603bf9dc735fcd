"""The W3C reference implementation (@digitalbazaar/vc + eddsa-rdfc-2022) as a test oracle.

Tests here need `node` and `interop/node_modules` (installed by `npm ci --prefix interop`);
without them they are skipped with the reason. The JS side resolves contexts only from
issuer/contexts and did:key locally (interop/lib.js); nothing is fetched.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable

import pytest

INTEROP = Path(__file__).resolve().parents[2] / "interop"
REQUIRED_PACKAGES = (
    "@digitalbazaar/vc",
    "@digitalbazaar/data-integrity",
    "@digitalbazaar/eddsa-rdfc-2022-cryptosuite",
    "@digitalbazaar/ed25519-multikey",
    "@digitalbazaar/did-method-key",
)
TIMEOUT_S = 60


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.node)


@pytest.fixture(scope="session")
def node_binary() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH (the interop tests need the W3C reference implementation)")
    missing = [p for p in REQUIRED_PACKAGES if not (INTEROP / "node_modules" / p / "package.json").is_file()]
    if missing:
        pytest.skip(f"interop/node_modules lacks {', '.join(missing)}: run `npm ci --prefix interop`")
    return node


RunNode = Callable[[str, Any], dict[str, Any]]


@pytest.fixture(scope="session")
def run_node(node_binary: str) -> RunNode:
    """Run interop/<script> with `payload` as JSON on stdin; return its JSON stdout."""

    def run(script: str, payload: Any) -> dict[str, Any]:
        proc = subprocess.run(
            [node_binary, str(INTEROP / script)],
            input=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT_S,
            cwd=INTEROP,
            check=False,
        )
        try:
            out = json.loads(proc.stdout.decode("utf-8"))
        except ValueError as exc:
            raise AssertionError(
                f"{script} exited {proc.returncode} without JSON output: {proc.stderr.decode(errors='replace')}"
            ) from exc
        if proc.returncode != 0 and "error" not in out:
            raise AssertionError(f"{script} exited {proc.returncode}: {proc.stderr.decode(errors='replace')}")
        return out

    return run


@pytest.fixture(scope="session")
def reference_sign(run_node: RunNode) -> Callable[..., dict[str, Any]]:
    """The reference signs `credential` with the did:key of `seed` at `created`."""

    def sign(credential: dict[str, Any], *, seed: bytes, created: str) -> dict[str, Any]:
        out = run_node("sign.js", {"credential": credential, "seedHex": seed.hex(), "created": created})
        if "error" in out:
            raise AssertionError(f"reference could not sign: {out['error']}")
        return out

    return sign


@pytest.fixture(scope="session")
def reference_verify(run_node: RunNode) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The reference's verdict {"verified", "error"} on a secured credential."""

    def verify(credential: dict[str, Any]) -> dict[str, Any]:
        return run_node("verify.js", credential)

    return verify


@pytest.fixture(scope="session")
def reference_canonize(run_node: RunNode) -> Callable[[list[dict[str, Any]]], list[str | None]]:
    """The reference's RDFC-1.0 N-Quads (safe mode) of each document; None where it refuses."""

    def canonize(documents: list[dict[str, Any]]) -> list[str | None]:
        results: list[str | None] = []
        for document in documents:  # one at a time: a refusal must not hide the others' output
            out = run_node("canonize.js", document)
            results.append(None if "error" in out else out["nquads"])
        return results

    return canonize


@pytest.fixture(scope="session")
def reference_canonize_many(run_node: RunNode) -> Callable[[list[dict[str, Any]]], list[str]]:
    """The reference's RDFC-1.0 N-Quads of documents it accepts, in one node process."""

    def canonize(documents: list[dict[str, Any]]) -> list[str]:
        out = run_node("canonize.js", documents)
        if "error" in out:
            raise AssertionError(f"reference could not canonize: {out['error']}")
        return out["nquads"]

    return canonize
