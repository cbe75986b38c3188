"""MLKaizen: where an ML team's MLOps practice stands, why, and what to do next."""

from __future__ import annotations

__version__ = "0.1.0"

from mlkaizen.api import assess
from mlkaizen.catalogue.loader import load_catalogue
from mlkaizen.catalogue.schema import Catalogue, Practice
from mlkaizen.engine.model import Assessment, PracticeResult, Source, State
from mlkaizen.errors import MLKaizenError

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
