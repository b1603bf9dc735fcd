"""What the per-request framework registry check costs (issue 14); prints figures, asserts nothing.

    .venv/bin/python -m bench.framework_refresh_bench [DATABASE_URL]

1. `LiveRegistry.refresh()` when nothing changed: forced (the stamp query), and as the web
   process calls it before each request (throttled to once per `REFRESH_INTERVAL_S`).
2. A framework page served by the web app with the live registry (refresh before each
   request) and with a fixed registry, requests per second through the Flask test client.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from issuer.frameworks import FrameworkRegistry
from pipeline.services import build_services
from pipeline.settings import Settings
from pipeline.store import migrate
from pipeline.web import create_app

PAGE = "/frameworks/29-2052.00/v.26.05.json"


def per_second(fn, seconds: float = 2.0) -> float:
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        count += 1
    return count / (time.perf_counter() - start)


def main(url: str | None = None) -> None:
    folder = Path(tempfile.mkdtemp())
    url = url or f"sqlite:///{folder / 'store.sqlite3'}"
    settings = Settings.explicit(database_url=url, data_dir=folder / "data", public_url="https://badges.example.org")
    migrate(url)
    live = build_services(settings)
    fixed = build_services(settings, registry=FrameworkRegistry.bundled())
    forced = per_second(lambda: live.registry.refresh(force=True))
    refresh = per_second(live.registry.refresh)
    live_client = create_app(settings, services=live, mount_verifier=False).test_client()
    fixed_client = create_app(settings, services=fixed, mount_verifier=False).test_client()
    with_live = per_second(lambda: live_client.get(PAGE))
    with_fixed = per_second(lambda: fixed_client.get(PAGE))
    print(f"database: {url.split(':', 1)[0]}")
    print(f"refresh, nothing changed: forced (one stamp query) {1e6 / forced:.0f} µs per call, "
          f"throttled {1e6 / refresh:.1f} µs per call")
    print(f"{PAGE}: live registry {with_live:.0f} req/s, fixed registry {with_fixed:.0f} req/s "
          f"(ratio {with_live / with_fixed:.2f})")
    live.close()
    fixed.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
