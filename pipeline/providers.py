"""Provider accounts and their API keys (use cases behind `badgeline providers ...`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.errors import IssuerError
from issuer.frameworks.models import LEVEL_ORDER
from issuer.frameworks.registry import FrameworkRegistry
from pipeline.errors import PipelineError
from pipeline.store.api_keys import Scope, create_api_key, revoke_api_key
from pipeline.store.models import ApiKey, Provider


class ProviderError(PipelineError):
    code = "provider_invalid"


@dataclass(frozen=True)
class NewKey:
    provider_id: str
    key_id: str
    key: str  # shown once; only its hash is stored


def parse_scope(text: str, registry: FrameworkRegistry) -> Scope:
    """`29-2052.00`, `29-2052.00@v.26.05` or `29-2052.00@v.26.05:proficient+advanced`."""
    head, colon, levels_text = text.strip().partition(":")
    code, at, version = head.partition("@")
    if (at and not version) or (colon and not levels_text):
        raise ProviderError(f"scope {text!r} has an empty version or level list; write CODE, CODE@VERSION "
                            "or CODE@VERSION:LEVEL+LEVEL", code="scope_invalid")
    if not registry.versions(code):
        raise ProviderError(f"unknown framework {code!r}; known: {', '.join(registry.codes())}",
                            code="framework_unknown")
    if version:
        try:
            registry.get(code, version)
        except IssuerError as exc:
            raise ProviderError(exc.message, code="framework_unknown") from exc
    levels = tuple(levels_text.split("+")) if levels_text else None
    unknown = [lv for lv in levels or () if lv not in LEVEL_ORDER]
    if unknown:
        raise ProviderError(f"unknown level(s) {unknown}; levels are {', '.join(LEVEL_ORDER)}",
                            code="level_unknown")
    return Scope(code, version or None, levels)


def add_provider(session: Session, *, name: str, scopes: list[Scope], now: datetime, url: str | None = None,
                 pepper: bytes = b"") -> NewKey:
    """Create the provider (or reuse one of that name) and issue it a new key."""
    provider = session.scalars(select(Provider).where(Provider.name == name)).one_or_none()
    if provider is None:
        provider = Provider(name=name, url=url, created_at=now)
        session.add(provider)
        session.flush()
    row, key = create_api_key(session, provider_id=provider.id, scopes=scopes, now=now, pepper=pepper)
    return NewKey(provider_id=provider.id, key_id=row.id, key=key)


def list_providers(session: Session) -> list[dict]:
    out = []
    for provider in session.scalars(select(Provider).order_by(Provider.name)):
        keys = session.scalars(select(ApiKey).where(ApiKey.provider_id == provider.id)
                               .order_by(ApiKey.created_at)).all()
        out.append({"id": provider.id, "name": provider.name, "keys": [
            {"id": k.id, "prefix": k.prefix, "scopes": k.scopes, "created_at": k.created_at.isoformat(),
             "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None} for k in keys]})
    return out


def revoke_key(session: Session, key_id: str, now: datetime) -> None:
    revoke_api_key(session, key_id, now=now)
