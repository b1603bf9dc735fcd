"""Published pages answer in the URLs of the base they were asked under (after `badgeline move-url`).

A credential issued before a move cites its Achievement, levels and statements under the old
base URL (an alias). Fetched there, those documents must carry the same ids as the credential,
so the publish blueprint builds its URLs per request: under the alias the request came in on
(`request.url_root`), else under the current public URL. The aliases are read from the store
once per process (a move needs a restart of the services anyway).
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from sqlalchemy.exc import SQLAlchemyError

from issuer.frameworks.urls import FrameworkUrls
from pipeline.public_url import public_url_aliases
from pipeline.services import Services


class RequestUrls:
    """Quacks like `FrameworkUrls`: the current base's, or an alias's when the request came in on it."""

    def __init__(self, services: Services) -> None:
        self._services, self._current = services, services.urls
        self._aliases: dict[str, FrameworkUrls] | None = None

    def _alias_urls(self) -> dict[str, FrameworkUrls]:
        if self._aliases is None:
            try:
                with self._services.read_sessions() as session:
                    aliases = public_url_aliases(session)
            except SQLAlchemyError:  # a store not migrated yet has no aliases; ask again next time
                return {}
            self._aliases = {alias: FrameworkUrls(alias) for alias in aliases}
        return self._aliases

    def for_request(self) -> FrameworkUrls:
        if not has_request_context():
            return self._current
        root = request.url_root.rstrip("/")
        return self._alias_urls().get(root, self._current) if root != self._current.base else self._current

    def __getattr__(self, name: str) -> Any:
        return getattr(self.for_request(), name)
