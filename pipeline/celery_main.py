"""Celery entry point, launched by import string: `celery -A pipeline.celery_main:app worker`.

The one place the worker's settings are read from the environment: `Settings()` (every
`BADGELINE_*` service setting, the queue and visibility timeout included) and the test hook
`BADGELINE_TEST_PAUSE_BEFORE_COMMIT_S` (`WorkerOptions.for_settings`). `BADGELINE_REDIS_URL` must be set (the runner
passes the embedded Redis's URL when the user did not give one).
"""

from __future__ import annotations

import os

from pipeline.settings import Settings
from pipeline.worker import WorkerOptions, create_celery_app

settings = Settings()
app = create_celery_app(settings, WorkerOptions.for_settings(settings, os.environ))
