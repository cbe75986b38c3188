"""MLKaizen: where an ML team's MLOps practice stands, why, and what to do next.

The public names are imported on first use (PEP 562), so that ``import mlkaizen`` (and every
``mlkaizen.*`` module, the command line's ``--version`` included) stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from mlkaizen.api import assess
    from mlkaizen.catalogue.loader import load_catalogue
    from mlkaizen.catalogue.schema import Catalogue, Practice
    from mlkaizen.engine.model import Assessment, PracticeResult, Source, State
    from mlkaizen.errors import MLKaizenError

_LAZY = {
    "assess": "mlkaizen.api",
    "load_catalogue": "mlkaizen.catalogue.loader",
    "Catalogue": "mlkaizen.catalogue.schema",
    "Practice": "mlkaizen.catalogue.schema",
    "Assessment": "mlkaizen.engine.model",
    "PracticeResult": "mlkaizen.engine.model",
    "Source": "mlkaizen.engine.model",
    "State": "mlkaizen.engine.model",
    "MLKaizenError": "mlkaizen.errors",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mlkaizen' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "Assessment",
    "Catalogue",
    "MLKaizenError",
    "Practice",
    "PracticeResult",
    "Source",
    "State",
    "__version__",
    "assess",
    "load_catalogue",
]
