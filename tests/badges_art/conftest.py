"""Level badge artwork fixtures: the worker's in-process use case (tests/worker) on both stores."""

from tests.worker.conftest import processor, reader, settings, store  # noqa: F401 - fixtures
