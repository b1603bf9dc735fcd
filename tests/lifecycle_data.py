"""Shared test data for the credential lifecycle (issue 8): the bundled framework with a level
policy that makes `proficient` credentials expire, so expiry and renewal can be exercised."""

from __future__ import annotations

import json
from importlib import resources

from issuer.frameworks.loader import load_framework
from issuer.frameworks.registry import FrameworkRegistry

VALID_FOR_DAYS = 365
RENEW_WITHIN_DAYS = 30
_DATA = resources.files("issuer.frameworks").joinpath("data")


def expiring_registry(valid_for_days: int = VALID_FOR_DAYS, renew_within_days: int = RENEW_WITHIN_DAYS
                      ) -> FrameworkRegistry:
    """The bundled framework, its policy extended with `validForDays`/`renewWithinDays` on `proficient`."""
    policy = json.loads(_DATA.joinpath("pharmacy-technicians.v26.05.policy.json").read_bytes())
    policy["levels"]["proficient"].update({"validForDays": valid_for_days, "renewWithinDays": renew_within_days})
    raw = _DATA.joinpath("pharmacy-technicians.v26.05.json").read_bytes()
    return FrameworkRegistry([load_framework(raw, policy=json.dumps(policy).encode(), source="expiring")])
