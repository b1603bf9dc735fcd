"""`host[:port]` lists given as one setting (pure text parsing, shared by the verifier's and the
pipeline's settings, which must not import each other's modules for it)."""

from __future__ import annotations

import json
from typing import Any


def split_host_list(value: Any) -> Any:
    """A `host[:port]` list given as one setting: comma-separated text or a JSON list
    (pydantic `before` validator shared by the verifier's and the pipeline's settings)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value
