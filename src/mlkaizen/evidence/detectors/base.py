"""What a detector is: an id stating a yes/no fact, its documentation, and a function.

A detector observes and never scores: it returns findings for the places where its fact
holds (``found``) or holds in part (``partial``). No finding means the fact was not observed.
It knows nothing of practices, levels or stages.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass

from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.tree import RepoTree

DetectFn = Callable[[RepoTree], list[Finding]]
ID_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


@dataclass(frozen=True)
class Detector:
    """A registered detector. ``doc`` is the function's docstring: summary line, then details."""

    id: str
    doc: str
    family: str
    detect: DetectFn

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else ""


def detector(detector_id: str) -> Callable[[DetectFn], Detector]:
    """Register ``fn`` as a detector whose documentation is its docstring."""

    def wrap(fn: DetectFn) -> Detector:
        family = fn.__module__.rsplit(".", 1)[-1]
        return Detector(detector_id, inspect.cleandoc(fn.__doc__ or ""), family, fn)

    return wrap
