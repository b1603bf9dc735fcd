"""CI gate: run the W3C conformance suites against this checkout and fail below full marks.

    python scripts/conformance_gate.py            # runs ../shared/conformance/run.sh, then judges
    python scripts/conformance_gate.py --judge-only RUN_DIR   # judge an existing run folder

Steps:
1. run `bash ../shared/conformance/run.sh` (beside the clone; `BADGELINE_CONFORMANCE_RUN_SH`
   names another copy) with `WORK` kept between runs
   (`BADGELINE_CONFORMANCE_WORK`, default `${TMPDIR:-/tmp}/badgeline-ci-conformance`), so npm
   packages and the venv are installed once and a run takes about a minute;
2. read each suite's mocha report (`RUN_DIR/<suite>.json`): it must hold `EXPECTED[suite]` tests;
3. every failing test must be listed in docs/conformance.md's "Tests that are wrong" table
   (`| suite | exact test title | reason |`); anything else fails the job, as does a listed
   test that now passes (the list must stay true).
Exit status 0 when the suites meet the bar, 1 when they do not, 2 when they could not run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUN_SH = Path(os.environ.get("BADGELINE_CONFORMANCE_RUN_SH") or ROOT.parent / "shared" / "conformance" / "run.sh")
DOC = ROOT / "docs" / "conformance.md"
EXPECTED = {"eddsa": 44, "dm": 59}
WRONG_HEADING = "## Tests that are wrong"


def documented_wrong(doc: str) -> set[tuple[str, str]]:
    """(suite, title) rows of the "Tests that are wrong" table in docs/conformance.md."""
    rows: set[tuple[str, str]] = set()
    inside = False
    for line in doc.splitlines():
        if line.startswith("## "):
            inside = line.strip() == WRONG_HEADING
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if inside and line.startswith("|") else []
        if len(cells) >= 3 and cells[0] in EXPECTED:
            rows.add((cells[0], cells[1].strip("`")))
    return rows


def judge(run_dir: Path, wrong: set[tuple[str, str]]) -> list[str]:
    """Every reason the run falls short (empty when it meets the bar)."""
    problems = []
    for suite, expected in EXPECTED.items():
        report_file = run_dir / f"{suite}.json"
        if not report_file.is_file():
            problems.append(f"{suite}: no report at {report_file}")
            continue
        report = json.loads(report_file.read_text(encoding="utf-8"))
        stats, failures = report["stats"], report["failures"]
        print(f"{suite}: {stats['passes']}/{stats['tests']} passed")
        if stats["tests"] != expected:
            problems.append(f"{suite}: {stats['tests']} tests ran, expected {expected}")
        failed = {f["title"] for f in failures}
        for title in sorted(failed):
            if (suite, title) not in wrong:
                problems.append(f"{suite}: FAILED and not documented as wrong: {title}")
            else:
                print(f"{suite}: failing, documented as wrong in docs/conformance.md: {title}")
        for listed_suite, title in sorted(wrong):
            if listed_suite == suite and title in {t["title"] for t in report["passes"]}:
                problems.append(f"{suite}: now passes, remove it from docs/conformance.md: {title}")
        if stats.get("pending"):
            problems.append(f"{suite}: {stats['pending']} test(s) pending")
    return problems


def run_suites() -> Path:
    if not RUN_SH.is_file():
        print(f"conformance: {RUN_SH} is missing (the CI copy of shared/ beside the clone)", file=sys.stderr)
        raise SystemExit(2)
    work = os.environ.get("BADGELINE_CONFORMANCE_WORK") or str(
        Path(os.environ.get("TMPDIR", "/tmp")) / "badgeline-ci-conformance")
    env = {**os.environ, "WORK": work, "BL_SRC": str(ROOT)}
    result = subprocess.run(["bash", str(RUN_SH)], cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        print(f"conformance: run.sh exited {result.returncode}", file=sys.stderr)
        raise SystemExit(2)
    return Path(work) / "run"


def main(argv: list[str]) -> int:
    run_dir = Path(argv[1]) if len(argv) == 2 and argv[0] == "--judge-only" else run_suites()
    problems = judge(run_dir, documented_wrong(DOC.read_text(encoding="utf-8")))
    for problem in problems:
        print(f"conformance: {problem}", file=sys.stderr)
    print("conformance: " + ("FAILED" if problems else "OK (every test passes or is documented as wrong)"))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
