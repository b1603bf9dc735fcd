"""Issue 10, "Load": a few hundred statement-level events from several providers, posted by
concurrent clients to a real stack (web process, Celery workers, Redis, SQLite), end as the
level policy predicts: nothing lost, nothing duplicated, the predicted credentials exactly.
`python -m bench.load` runs the same with 20,000 events."""

from __future__ import annotations

from bench.load import run_load


def test_a_few_hundred_events_end_as_the_policy_predicts(tmp_path):
    figures = run_load(events=300, learners=30, providers=3, clients=4, workers=2, data_dir=tmp_path / "data",
                       timeout_s=240)
    assert figures["statuses"] == {202: 300}, figures
    assert (figures["events_lost"], figures["events_duplicated"], figures["events_rejected"]) == (0, 0, 0), figures
    assert figures["credentials_expected"] > 0
    assert figures["credentials_issued"] == figures["credentials_expected"], figures
    assert figures["learners_mismatched"] == 0, figures
