"""The registry of built-in detectors: one explicit, sorted table.

Third-party detectors come later through the ``mlkaizen.detectors`` entry-point group.
"""

from __future__ import annotations

from mlkaizen.evidence.detectors import (
    ci_runs,
    code_versioning,
    collaboration,
    containers,
    data_validation,
    data_versioning,
    delivery,
    documentation,
    evaluation,
    infrastructure,
    monitoring,
    pipelines,
    project_kind,
    registry,
    reproducibility,
    retraining,
    serving,
    tests_present,
    tracking,
)
from mlkaizen.evidence.detectors.base import Detector

_MODULES = (
    ci_runs,
    code_versioning,
    collaboration,
    containers,
    data_validation,
    data_versioning,
    delivery,
    documentation,
    evaluation,
    infrastructure,
    monitoring,
    pipelines,
    project_kind,
    registry,
    reproducibility,
    retraining,
    serving,
    tests_present,
    tracking,
)

REGISTRY: dict[str, Detector] = dict(
    sorted((d.id, d) for module in _MODULES for d in module.DETECTORS)
)

__all__ = ["REGISTRY", "Detector"]
