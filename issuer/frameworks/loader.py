"""Load framework documents (publisher export format) into `Framework` objects.

Errors are `FrameworkError` with `path` set to the offending field, e.g.
`('framework', 'levels', 'proficient', 'statements', 3)`.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from issuer.errors import FrameworkError
from issuer.frameworks.models import Framework, FrameworkDocument
from issuer.frameworks.policy import check_policy_fits, parse_policy

POLICY_SUFFIX = ".policy.json"


def parse_framework_document(raw: bytes, *, source: str = "framework") -> FrameworkDocument:
    """Parse and validate the publisher's JSON bytes."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FrameworkError(f"{source}: not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise FrameworkError(f"{source}: the document must be a JSON object")
    try:
        return FrameworkDocument.model_validate(data)
    except ValidationError as exc:  # every problem, each at its JSON path (pydantic reports alias names)
        problems = [(tuple(error["loc"]), error["msg"]) for error in exc.errors()]
        raise FrameworkError.collected(source, problems) from exc


def load_framework(raw: bytes, *, policy: bytes | None = None, source: str = "framework") -> Framework:
    """A `Framework` from document bytes and optional policy bytes (None -> default policy)."""
    document = parse_framework_document(raw, source=source)
    framework = Framework(
        document=document,
        raw_bytes=bytes(raw),
        policy=parse_policy(policy, source=f"{source} policy"),
        source=source,
    )
    check_policy_fits(framework)
    return framework


def policy_path_for(path: Path) -> Path:
    """`x.v26.05.json` -> `x.v26.05.policy.json` (same directory)."""
    return path.with_name(path.name.removesuffix(".json") + POLICY_SUFFIX)


def is_framework_file(path: Path) -> bool:
    return path.suffix == ".json" and not path.name.endswith(POLICY_SUFFIX)


def load_framework_file(path: str | Path) -> Framework:
    """Load a framework file and the policy file next to it, if any."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FrameworkError(f"cannot read framework file {path}: {exc.strerror}", code="framework_unreadable") from exc
    policy_file = policy_path_for(path)
    policy = policy_file.read_bytes() if policy_file.is_file() else None
    return load_framework(raw, policy=policy, source=path.name)
