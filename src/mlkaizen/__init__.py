"""MLKaizen: where an ML team's MLOps practice stands, why, and what to do next.

The public names are imported on first use, so that importing the package itself loads no
third-party module: ``python -m mlkaizen`` can then drop the working folder (an untrusted
repository, in CI) from ``sys.path`` before anything else is imported (see ``__main__``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from mlkaizen.api import assess
    from mlkaizen.catalogue.schema import Catalogue, Practice
    from mlkaizen.catalogues import load_catalogue
    from mlkaizen.engine.model import Assessment, PracticeResult, Source, State
    from mlkaizen.errors import MLKaizenError
    from mlkaizen.evidence.live import LiveOptions
    from mlkaizen.evidence.sources.mlflow import MlflowOptions

_WHERE = {
    "Assessment": "mlkaizen.engine.model",
    "Catalogue": "mlkaizen.catalogue.schema",
    "LiveOptions": "mlkaizen.evidence.live",
    "MLKaizenError": "mlkaizen.errors",
    "MlflowOptions": "mlkaizen.evidence.sources.mlflow",
    "Practice": "mlkaizen.catalogue.schema",
    "PracticeResult": "mlkaizen.engine.model",
    "Source": "mlkaizen.engine.model",
    "State": "mlkaizen.engine.model",
    "assess": "mlkaizen.api",
    "load_catalogue": "mlkaizen.catalogues",
}

__all__ = [
    "Assessment",
    "Catalogue",
    "LiveOptions",
    "MLKaizenError",
    "MlflowOptions",
    "Practice",
    "PracticeResult",
    "Source",
    "State",
    "__version__",
    "assess",
    "load_catalogue",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mlkaizen' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
