"""Every scenario fixture gives its expected verdict, check outcome and problem code.

The fixtures are regenerated in memory and compared with the stored files, so a stored
scenario cannot drift from the code that made it (Ed25519 is deterministic).
"""

from __future__ import annotations

import json

import pytest

from tests.verifier.conftest import FIXTURES, load_scenario, scenario_names, verify_scenario
from tests.verifier.fixtures import generate

REQUIRED = {
    "valid", "expired", "not-yet-valid", "revoked", "suspended", "tampered-subject", "tampered-achievement",
    "swapped-proof", "wrong-key", "key-not-assertion-method", "controller-not-issuer", "unknown-context",
    "context-redefining-term", "no-proof", "malformed-proof-value", "list-from-another-issuer",
    "unreachable-list", "jwt-bad-signature", "jwt-claims-mismatch", "baked-two-credentials",
}


def test_the_issue_scenarios_are_all_present():
    assert REQUIRED <= set(scenario_names())


@pytest.mark.parametrize("name", scenario_names())
def test_scenario_verdict(name, engine):
    case = load_scenario(name)
    expect = case["expect"]
    verification = verify_scenario(engine, case)
    assert verification.verdict == expect["verdict"], verification.body()
    assert verification.verified is expect["verified"]
    if "check" in expect:
        check = verification.report.check(expect["check"])
        assert check is not None, [c.name for c in verification.report.checks]
        assert check.outcome.value == expect["outcome"], check
        if "code" in expect:
            assert expect["code"] in [p.code for p in check.problems], check
    body = verification.body()
    assert json.loads(json.dumps(body)) == body
    if expect["verified"]:
        assert body["errors"] == []
    else:
        assert body["errors"] and all(p["type"].startswith(("https://", "urn:badgeline:problem:"))
                                      for p in body["errors"])


def test_stored_fixtures_match_a_fresh_build():
    for name, case in generate.scenarios().items():
        stored = json.loads((FIXTURES / "scenarios" / f"{name}.json").read_text(encoding="utf-8"))
        assert stored == json.loads(json.dumps({"scenario": name, **case})), name
    assert json.loads((FIXTURES / "world.json").read_text(encoding="utf-8")) == json.loads(json.dumps(generate.world()))
