"""Competency frameworks: versioned data, typed models, stable codes and URLs, level policy.

    registry = FrameworkRegistry.bundled()
    fw = registry.get("29-2052.00", "v.26.05")
    fw.level("proficient").statements[0].code   # "P01"
    levels_reached(fw, fw.policy, {"P01", ...})
"""

from issuer.frameworks.attribution import Attribution, attribution_of
from issuer.frameworks.case import export_case
from issuer.frameworks.crosswalk import Crosswalk, parse_crosswalk
from issuer.frameworks.loader import load_framework, load_framework_file, parse_framework_document
from issuer.frameworks.models import (
    LEVEL_ORDER,
    Framework,
    FrameworkDocument,
    Level,
    LevelKey,
    Statement,
    statement_code,
    version_key,
)
from issuer.frameworks.policy import LevelPolicy, LevelRule, levels_reached, parse_policy
from issuer.frameworks.registry import FrameworkRegistry
from issuer.frameworks.urls import FrameworkUrls, StatementRef

__all__ = [
    "Attribution",
    "Crosswalk",
    "attribution_of",
    "parse_crosswalk",
    "LEVEL_ORDER",
    "Framework",
    "FrameworkDocument",
    "FrameworkRegistry",
    "FrameworkUrls",
    "Level",
    "LevelKey",
    "LevelPolicy",
    "LevelRule",
    "Statement",
    "StatementRef",
    "export_case",
    "levels_reached",
    "load_framework",
    "load_framework_file",
    "parse_framework_document",
    "parse_policy",
    "statement_code",
    "version_key",
]
