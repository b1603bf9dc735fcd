"""`badgeline events import FILE.csv`: the CSV upload from the shell, on a real SQLite store."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone

from click.testing import CliRunner
from sqlalchemy import select

from pipeline.cli import main
from pipeline.services import build_services
from pipeline.settings import Settings
from pipeline.store.models import Event

HEADER = ("event_id,occurred_at,learner_email,learner_name,learner_did,framework_id,framework_version,"
          "assessment_id,assessment_name,statement,score,passed").split(",")


def write_csv(path, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


def test_import_stores_valid_events_reports_bad_rows_and_is_idempotent(tmp_path):
    data = tmp_path / "data"
    runner = CliRunner()
    added = runner.invoke(main, ["providers", "add", "CSV College", "--frameworks", "29-2052.00",
                                 "--data-dir", str(data)], env={"BADGELINE_REDIS_URL": ""})
    assert added.exit_code == 0, added.output
    when = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = [["csv-1", when, "zoe@example.org", "Zoe", "", "29-2052.00", "v.26.05", "q1", "Quiz", f"E{i:02d}", "0.9", ""]
            for i in range(1, 11)]
    rows.append(["csv-2", when, "zoe@example.org", "Zoe", "", "29-2052.00", "v.26.05", "q2", "Quiz", "Z99", "0.9", ""])
    path = tmp_path / "results.csv"
    write_csv(path, rows)

    args = ["events", "import", str(path), "--provider", "CSV College", "--data-dir", str(data)]
    first = runner.invoke(main, args, env={"BADGELINE_REDIS_URL": ""})
    assert first.exit_code == 1  # a refused row makes the import fail loudly
    assert "row 12: csv-2: unknown_statement" in first.output
    assert "2 events in 11 rows: 1 accepted, 0 already known, 1 refused." in first.output

    again = runner.invoke(main, args, env={"BADGELINE_REDIS_URL": ""})
    assert "1 accepted" not in again.output and "1 already known" in again.output

    services = build_services(Settings.explicit(data_dir=data))
    try:
        with services.sessions() as session:
            events = session.scalars(select(Event)).all()
    finally:
        services.close()
    assert [(e.provider_event_id, e.state) for e in events] == [("csv-1", "received")]  # the sweep sends it
    assert len(events[0].parsed["results"]) == 10


def test_import_for_an_unknown_provider_is_a_clear_error(tmp_path):
    path = tmp_path / "results.csv"
    write_csv(path, [])
    result = CliRunner().invoke(main, ["events", "import", str(path), "--provider", "Nobody",
                                       "--data-dir", str(tmp_path / "data")], env={"BADGELINE_REDIS_URL": ""})
    assert result.exit_code != 0 and "no provider named 'Nobody'" in result.output


def test_import_beside_a_running_up_sends_at_once_to_its_embedded_broker(tmp_path):
    """`badgeline up` without BADGELINE_REDIS_URL runs an embedded Redis; an import on the same
    data directory finds it and queues its events at once instead of leaving them to the sweep."""
    import redis

    from pipeline.embedded_redis import EmbeddedRedis, running_url

    data = tmp_path / "data"
    runner = CliRunner()
    env = {"BADGELINE_REDIS_URL": ""}
    assert runner.invoke(main, ["providers", "add", "Up College", "--frameworks", "29-2052.00",
                                "--data-dir", str(data)], env=env).exit_code == 0
    when = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path = tmp_path / "results.csv"
    write_csv(path, [["up-1", when, "ana@example.org", "Ana", "", "29-2052.00", "v.26.05", "q1", "Quiz", "E01", "0.9", ""]])
    broker = EmbeddedRedis(Settings.explicit(data_dir=data).redis_dir)
    url = broker.start()
    try:
        assert running_url(broker.directory) == url
        result = runner.invoke(main, ["events", "import", str(path), "--provider", "Up College",
                                      "--data-dir", str(data)], env=env)
        assert result.exit_code == 0, result.output
        assert redis.Redis.from_url(url).llen("badgeline") == 1  # the task waits for a worker, not the sweep
    finally:
        broker.stop()
    assert running_url(broker.directory) is None
    alone = runner.invoke(main, ["events", "import", str(path), "--provider", "Up College", "--data-dir", str(data)],
                          env=env)
    assert "no broker is running" in alone.output
