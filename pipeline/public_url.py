"""The public base URL is part of the data: every credential cites URLs built from it.

Use cases:
- `claim_public_url` (every service start, `prepare_store`): the first start records
  `settings.public_url` in `service_meta`; a later start with another URL is refused
  (`PublicUrlChanged`, naming both URLs and `badgeline move-url`), because credentials
  already issued cite the recorded one.
- `move_public_url` (`badgeline move-url NEW_URL`): the deliberate move. The recorded URL
  becomes an alias and NEW_URL the current one. Nothing signed is rewritten: issued
  credentials and the status lists they point at keep their URLs (a list keeps the URL it
  was first signed under, and new credentials go on lists under the new URL), and the web
  app serves every path under any host, so old URLs keep answering as long as the old
  host name (or, for `badgeline up`, the old local port) still reaches this service.
"""

from __future__ import annotations

import socket
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from pipeline.errors import SettingsError
from pipeline.store.models import ServiceMeta

PUBLIC_URL = "public_url"
ALIASES = "public_url_aliases"


class PublicUrlChanged(SettingsError):
    """The configured public URL is not the one recorded with the data."""

    code = "public_url_changed"


def normalized(url: str) -> str:
    """`url` without its trailing slash; refuses anything but an absolute http(s) URL."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise SettingsError(f"{url!r} is not an absolute http(s) base URL", code="public_url_invalid")
    return url.strip().rstrip("/")


def _get(session: Session, key: str) -> Any:
    row = session.get(ServiceMeta, key)
    return None if row is None else row.value


def _put(session: Session, key: str, value: Any, now: datetime) -> None:
    row = session.get(ServiceMeta, key)
    if row is None:
        session.add(ServiceMeta(key=key, value=value, updated_at=now))
    else:
        row.value, row.updated_at = value, now
    session.flush()


def recorded_public_url(session: Session) -> str | None:
    return _get(session, PUBLIC_URL)


def public_url_aliases(session: Session) -> list[str]:
    """Earlier base URLs (oldest first): credentials issued under them still cite them."""
    return list(_get(session, ALIASES) or [])


def changed_message(recorded: str, configured: str) -> str:
    return (f"this store's public URL is {recorded}, but BADGELINE_PUBLIC_URL is {configured}. "
            f"Credentials already issued cite {recorded}, so the service will not start under another URL. "
            f"Start it with BADGELINE_PUBLIC_URL={recorded}, or move deliberately with "
            f"`badgeline move-url {configured}` (old URLs keep being served if {recorded} still reaches "
            f"this service; see README \"Public URL\").")


def claim_public_url(session: Session, configured: str, now: datetime) -> str:
    """Record `configured` on first use; refuse (PublicUrlChanged) when another URL is recorded."""
    configured = normalized(configured)
    recorded = recorded_public_url(session)
    if recorded is None:
        _put(session, PUBLIC_URL, configured, now)
        return configured
    if recorded != configured:
        raise PublicUrlChanged(changed_message(recorded, configured))
    return recorded


def move_public_url(session: Session, new_url: str, now: datetime) -> tuple[str | None, list[str]]:
    """Make `new_url` the recorded URL; the previous one joins the aliases. Returns (previous, aliases)."""
    new_url = normalized(new_url)
    previous = recorded_public_url(session)
    aliases = [a for a in public_url_aliases(session) if a != new_url]
    if previous is not None and previous != new_url and previous not in aliases:
        aliases.append(previous)
    _put(session, ALIASES, aliases, now)
    _put(session, PUBLIC_URL, new_url, now)
    return previous, aliases


def local_alias_ports(aliases: list[str], host: str, port: int) -> list[int]:
    """Ports of the aliases a local server on `host` can answer for itself: plain http on the
    same host (or a loopback name for a loopback host) and another port that is free now."""
    loopback = {"127.0.0.1", "localhost", "::1"}
    ports: list[int] = []
    for alias in aliases:
        parts = urlsplit(alias)
        same_host = parts.hostname == host or (parts.hostname in loopback and host in loopback)
        alias_port = parts.port or 80
        if parts.scheme == "http" and same_host and alias_port != port and alias_port not in ports \
                and _port_free(host, alias_port):
            ports.append(alias_port)
    return ports


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will: TIME_WAIT is free
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True
