"""`badgeline frameworks add | retire | list` on a store in the working directory (issue 14)."""

from __future__ import annotations

import hashlib
import json

from tests.frameworks.testdata import CROSSWALK, PT, PT_V2611, PT_V2611_POLICY, SURGICAL


def test_add_list_retire(run):
    first = run("frameworks", "add", str(PT_V2611), "--policy", str(PT_V2611_POLICY), "--crosswalk", str(CROSSWALK),
                "--sha256", hashlib.sha256(PT_V2611.read_bytes()).hexdigest())
    assert first.exit_code == 0, first.output
    assert f"{PT}@v.26.11 added" in first.stdout and "crosswalk v.26.05 -> v.26.11 added" in first.stdout
    again = run("frameworks", "add", str(PT_V2611), "--policy", str(PT_V2611_POLICY))
    assert again.exit_code == 0 and "nothing changed" in again.stdout
    assert run("frameworks", "add", str(SURGICAL)).exit_code == 0
    listing = run("frameworks", "list").stdout
    assert "v.26.05" in listing and "older" in listing and "29-2055.00  v.26.10" in listing
    assert f"crosswalk {PT}@v.26.05 -> {PT}@v.26.11  (37 statements carried over)" in listing
    retired = run("frameworks", "retire", f"{PT}@v.26.05")
    assert retired.exit_code == 0 and "retired at" in retired.stdout
    assert "retired" in [line for line in run("frameworks", "list").stdout.splitlines() if "v.26.05" in line][0]
    unknown = run("frameworks", "retire", f"{PT}@v.99.01")
    assert unknown.exit_code == 1 and "framework_unknown" in unknown.stderr
    shown = run("frameworks", "show", PT)
    assert "version v.26.11" in shown.stdout  # the newest is current


def test_add_reports_every_problem_with_its_path_and_stores_nothing(run, tmp_path):
    broken = json.loads(PT_V2611.read_bytes())
    broken["occupation"]["soc"] = "29-2052"
    broken["framework"]["levels"]["advanced"]["statements"] = []
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken), encoding="utf-8")
    result = run("frameworks", "add", str(bad))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "nothing stored [framework_invalid]" in result.stderr
    assert "/document/occupation/soc:" in result.stderr and "/document/framework/levels/advanced/statements:" in result.stderr
    digest = run("frameworks", "add", str(PT_V2611), "--sha256", "0" * 64)
    assert digest.exit_code == 1 and "framework_digest_mismatch" in digest.stderr
    assert "v.26.11" not in run("frameworks", "list").stdout
