"""One verdict everywhere: for every scenario fixture the VC API, the upload page and
`badgeline verify` agree (verdict, `verified`, the checks), and "could not check" is not
verified on the API: `verified: false` with a `verification_incomplete` error.

The network is the scenario world (`WorldFetcher`) for all three; the CLI gets it through
its engine factory, the only thing swapped."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest

import pipeline.cli.credentials as cli_credentials
from pipeline.cli import main
from tests.verifier.conftest import load_scenario, scenario_bytes, scenario_names
from verifier.app import VerifierSettings, create_app, make_engine
from verifier.display import VERDICT_HEADLINES

MARK = {"pass": "PASS", "fail": "FAIL", "cannot-check": "UNCHECKED"}


@pytest.fixture
def at_scenario_time(world_fetcher, registry):
    """(engine, Flask test client) whose clock is the scenario's."""
    def make(case):
        now = datetime.fromisoformat(case["now"].replace("Z", "+00:00"))
        engine = make_engine(VerifierSettings(), fetcher=world_fetcher, registry=registry, clock=lambda: now)
        app = create_app(VerifierSettings(), fetcher=world_fetcher, registry=registry, clock=lambda: now)
        return engine, app.test_client()
    return make


def _api_body(client, case):
    if case["input"]["encoding"] == "json":
        response = client.post("/credentials/verify", json={"verifiableCredential": case["input"]["value"]})
    else:  # images and JWT text: the upload endpoint, as a machine sends a file
        response = client.post("/verify", data=scenario_bytes(case), content_type="application/octet-stream")
    body = response.get_json()
    assert response.status_code == (200 if body["verified"] else 400)
    return body


def _page_headline(client, case):
    html = client.post("/verify", data=scenario_bytes(case), content_type="application/octet-stream",
                       headers={"Accept": "text/html"}).get_data(as_text=True)
    return re.search(r'<h1 id="verdict-heading">([^<]+)</h1>', html)[1].strip()


def _cli(monkeypatch, tmp_path, engine, case, *args):
    from click.testing import CliRunner

    monkeypatch.setattr(cli_credentials, "make_engine", lambda settings: engine)
    path = tmp_path / "credential.bin"
    path.write_bytes(scenario_bytes(case))
    return CliRunner().invoke(main, ["verify", str(path), *args], catch_exceptions=False)


@pytest.mark.parametrize("name", scenario_names())
def test_api_page_and_cli_give_one_verdict(name, at_scenario_time, monkeypatch, tmp_path):
    case = load_scenario(name)
    engine, client = at_scenario_time(case)
    body = _api_body(client, case)
    assert (body["verdict"], body["verified"]) == (case["expect"]["verdict"], case["expect"]["verified"])
    headline = VERDICT_HEADLINES[body["verdict"]]
    assert _page_headline(client, case) == headline

    text = _cli(monkeypatch, tmp_path, engine, case)
    lines = text.stdout.splitlines()
    assert text.exit_code == (0 if body["verified"] else 1)
    assert lines[0] == headline.upper()
    checks = [line.split()[:2] for line in lines[1:] if line.startswith("  ") and not line.startswith("     ")]
    assert checks == [[MARK[c["outcome"]], c["check"]] for c in body["checks"]]

    as_json = json.loads(_cli(monkeypatch, tmp_path, engine, case, "--json").stdout)
    drop = ("format", "credential")
    assert {k: v for k, v in as_json.items() if k not in drop} == {k: v for k, v in body.items() if k not in drop}


@pytest.mark.parametrize("name", ["unreachable-list", "list-from-another-issuer", "legacy-vc11"])
def test_could_not_check_is_a_failure_with_its_own_code_on_the_api(name, at_scenario_time):
    case = load_scenario(name)
    _, client = at_scenario_time(case)
    body = _api_body(client, case)
    assert body["verified"] is False and body["verdict"] == "incomplete"
    assert body["errors"][0]["code"] == "verification_incomplete"
    assert body["errors"][0]["type"] == "urn:badgeline:problem:verification_incomplete"
    assert all(c["outcome"] != "fail" for c in body["checks"])
    assert _page_headline(client, case) == "Could not fully check"  # the page keeps its amber verdict
