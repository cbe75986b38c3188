"""The registry of built-in detectors: one explicit list of modules, one sorted table.

Each module listed here exposes ``DETECTORS``. Third-party detectors will come through the
``mlkaizen.detectors`` entry-point group.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from mlkaizen.evidence.detectors.base import Detector

MODULES = (
    "ci_runs",
    "ci_ml_runs",
    "code_versioning",
    "collaboration",
    "containers",
    "data_validation",
    "data_versioning",
    "delivery",
    "documentation",
    "evaluation",
    "infrastructure",
    "live",
    "monitoring",
    "packaging",
    "pipelines",
    "project_kind",
    "registry",
    "reproducibility",
    "retraining",
    "serving",
    "tests_present",
    "tracking",
    "warehouse",
)

REGISTRY: dict[str, Detector] = dict(
    sorted(
        (d.id, d)
        for name in MODULES
        for d in import_module(f"mlkaizen.evidence.detectors.{name}").DETECTORS
    )
)


@cache
def all_detectors() -> tuple[dict[str, Detector], tuple[str, ...]]:
    """Built-in and plugin detectors (loaded once), and the problems met loading plugins."""
    from mlkaizen.evidence.detectors.plugins import load_plugin_detectors
    from mlkaizen.evidence.detectors.vocabulary import vocabulary_problems

    plugins, problems = load_plugin_detectors(set(REGISTRY))
    return {**REGISTRY, **{d.id: d for d in plugins}}, (*problems, *vocabulary_problems())


__all__ = ["MODULES", "REGISTRY", "Detector", "all_detectors"]
