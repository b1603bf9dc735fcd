"""`badgeline frameworks list|show|export-case`."""

from __future__ import annotations

import json

import jsonschema

from issuer.frameworks import FrameworkRegistry
from tests.frameworks.test_case import FORMATS, SCHEMA

FW = FrameworkRegistry.bundled().get("29-2052.00", "v.26.05")


def test_list(run):
    result = run("frameworks", "list")
    assert result.exit_code == 0
    [line] = [line for line in result.stdout.splitlines() if line.startswith("29-2052.00")]
    assert "v.26.05" in line and FW.title in line and "(4 levels, 40 statements)" in line
    assert f"sha256:{FW.sha256_hex[:16]}" in line


def test_show_every_statement_code(run):
    for args in (("29-2052.00", "--version", "v.26.05"), ("29-2052.00",)):  # latest by default
        result = run("frameworks", "show", *args)
        assert result.exit_code == 0
        assert f"sha256 {FW.sha256_hex}" in result.stdout
        codes = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")]
        assert codes == [f"{p}{n:02d}" for p in "EDPA" for n in range(1, 11)]
        assert f"  P03  {FW.statement('P03').text}" in result.stdout


def test_export_case_validates_against_the_cfpackage_schema(run, tmp_path):
    result = run("frameworks", "export-case", "29-2052.00", "--version", "v.26.05",
                 "--public-url", "https://badges.example.org", "--out", "case.json")
    assert result.exit_code == 0, result.output
    package = json.loads((tmp_path / "case.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(SCHEMA, format_checker=FORMATS).validate(package)
    uris = {item["uri"] for item in package["CFItems"]}
    assert "https://badges.example.org/frameworks/29-2052.00/v.26.05/statements/P03" in uris
    assert len(package["CFItems"]) == 44


def test_export_case_to_stdout(run):
    result = run("frameworks", "export-case", "29-2052.00")
    package = json.loads(result.stdout)
    jsonschema.Draft7Validator(SCHEMA, format_checker=FORMATS).validate(package)
    assert package["CFDocument"]["uri"].startswith("http://127.0.0.1:8000/frameworks/")


def test_unknown_framework_or_version_is_a_clear_error(run):
    for args in (("show", "29-9999.00"), ("show", "29-2052.00", "--version", "v.99.01"),
                 ("export-case", "29-9999.00")):
        result = run("frameworks", *args)
        assert result.exit_code == 1
        assert "framework_unknown" in result.stderr and "known: 29-2052.00" in result.stderr
        assert "Traceback" not in result.output and result.stdout == ""
    issue = run("issue", "--framework", "11-1111.00", "--version", "v.1", "--level", "proficient",
                "--learner-email", "a@example.org")
    assert issue.exit_code == 1 and "framework_unknown" in issue.stderr
