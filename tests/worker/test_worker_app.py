"""The Celery app's configuration, the dispatcher's failure mode and the retry policy (no worker process)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from kombu.exceptions import OperationalError as KombuOperationalError
from sqlalchemy.exc import IntegrityError, OperationalError

from pipeline.errors import SettingsError
from pipeline.processing import Rejection, TransientFailure
from pipeline.settings import Settings
from pipeline.tasks import BACKOFF_MAX_S, PROCESS_EVENT, PUBLISH_STATUS_LIST, SWEEP_RECEIVED, retry_countdown, should_retry
from pipeline.worker import BrokerUnavailable, CeleryDispatcher, WorkerOptions, create_celery_app

from .conftest import free_port


def _settings(tmp_path, **values) -> Settings:
    values.setdefault("redis_url", "redis://127.0.0.1:6379/15")
    return Settings.explicit(data_dir=tmp_path, **values)


def test_app_is_configured_for_at_least_once_delivery(tmp_path):
    app = create_celery_app(_settings(tmp_path, sweep_interval_s=7), WorkerOptions(queue="q1", visibility_timeout_s=42))
    conf = app.conf
    assert (conf.task_acks_late, conf.task_reject_on_worker_lost, conf.worker_prefetch_multiplier) == (True, True, 1)
    assert (conf.task_serializer, list(conf.accept_content), conf.task_ignore_result) == ("json", ["json"], True)
    assert conf.broker_url == "redis://127.0.0.1:6379/15" and conf.task_default_queue == "q1"
    assert conf.broker_transport_options["visibility_timeout"] == 42
    assert conf.broker_transport_options["unacked_restore_interval"] == 4
    assert conf.beat_schedule[SWEEP_RECEIVED] == {"task": SWEEP_RECEIVED, "schedule": timedelta(seconds=7)}
    assert {PROCESS_EVENT, SWEEP_RECEIVED, PUBLISH_STATUS_LIST} <= set(app.tasks)


def test_default_visibility_timeout_is_five_minutes(tmp_path):
    options = WorkerOptions()
    conf = create_celery_app(_settings(tmp_path)).conf
    assert conf.broker_transport_options["visibility_timeout"] == 300 and conf.task_default_queue == "badgeline"
    assert options.stuck_after == timedelta(minutes=10)


def test_the_worker_needs_a_redis_url(tmp_path):
    with pytest.raises(SettingsError) as caught:
        create_celery_app(Settings.explicit(data_dir=tmp_path))
    assert caught.value.code == "redis_url_missing"


def test_worker_options_come_from_settings(tmp_path):
    assert WorkerOptions.for_settings(Settings.explicit(data_dir=tmp_path)) == WorkerOptions()
    settings = Settings.explicit(data_dir=tmp_path, celery_queue="q", broker_visibility_timeout_s=5)
    assert WorkerOptions.for_settings(settings, {"BADGELINE_TEST_PAUSE_BEFORE_COMMIT_S": "1.5"}) == WorkerOptions("q", 5.0, 1.5)
    with pytest.raises(SettingsError) as caught:
        WorkerOptions.for_settings(settings, {"BADGELINE_TEST_PAUSE_BEFORE_COMMIT_S": "soon"})
    assert caught.value.code == "worker_option_invalid"


def test_the_web_and_the_workers_agree_on_the_queue(tmp_path):
    settings = Settings.explicit(data_dir=tmp_path, redis_url="redis://127.0.0.1:6379/15", celery_queue="shared-q")
    assert create_celery_app(settings).conf.task_default_queue == "shared-q"


def test_dispatcher_reports_a_dead_broker_quickly(tmp_path):
    app = create_celery_app(_settings(tmp_path, redis_url=f"redis://127.0.0.1:{free_port()}/0"))
    started = time.monotonic()
    with pytest.raises(BrokerUnavailable) as caught:
        CeleryDispatcher(app).send_process_event("some-event")
    assert caught.value.code == "broker_unavailable" and isinstance(caught.value.__cause__, KombuOperationalError)
    assert time.monotonic() - started < 15


def test_only_transient_failures_are_retried():
    assert should_retry(OperationalError("SELECT 1", {}, ConnectionError("gone")))
    assert should_retry(TransientFailure("race", code="award_race"))
    assert should_retry(KombuOperationalError("broker down"))
    assert should_retry(IntegrityError("INSERT", {}, ValueError("duplicate")))  # a race: the redo sees the winner
    assert not should_retry(Rejection("bad", code="framework_unknown"))
    assert not should_retry(ValueError("bug"))


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    for retries in range(10):
        value = retry_countdown(retries)
        ceiling = min(BACKOFF_MAX_S, 2.0 ** retries)
        assert ceiling / 2 <= value <= ceiling
    assert retry_countdown(30) <= BACKOFF_MAX_S


def test_each_app_keeps_its_own_tasks(tmp_path):
    # Tasks are not "shared": a second app in one process (tests, the CLI) never reaches the first's runtime.
    one, two = create_celery_app(_settings(tmp_path)), create_celery_app(_settings(tmp_path, redis_url="redis://h:1/2"))
    assert one.tasks[PROCESS_EVENT] is not two.tasks[PROCESS_EVENT]
    assert one.tasks[PROCESS_EVENT].app is one and two.tasks[PROCESS_EVENT].app is two
