"""Celery entry point, launched by import string: `celery -A pipeline.celery_main:app worker`.

The one place the worker's settings are read from the environment: `Settings()` (every
`BADGELINE_*` service setting) and `WorkerOptions.from_environ` (`BADGELINE_CELERY_QUEUE`,
`BADGELINE_BROKER_VISIBILITY_TIMEOUT_S` and the test hook
`BADGELINE_TEST_PAUSE_BEFORE_COMMIT_S`). `BADGELINE_REDIS_URL` must be set (the runner
passes the embedded Redis's URL when the user did not give one).
"""

from __future__ import annotations

import os

from pipeline.settings import Settings
from pipeline.worker import WorkerOptions, create_celery_app

app = create_celery_app(Settings(), WorkerOptions.from_environ(os.environ))
