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

from mlkaizen.evidence.findings import Finding, Outcome
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


Keep = Callable[[RepoTree, Finding], bool]
Settle = Callable[[RepoTree, list[Finding]], list[Finding]]


def with_packs(
    detector_id: str, fn: DetectFn, keep: Keep | None = None, settle: Settle | None = None
) -> DetectFn:
    """``fn``, plus what the stack packs' signs of ``detector_id`` show in files where
    ``fn`` found nothing (one reading of a fact per file); with ``keep``, only the findings
    it keeps, whoever made them; with ``settle``, as it judges them all together."""

    def detect(tree: RepoTree) -> list[Finding]:
        from mlkaizen.evidence.detectors.stack_signs import pack_findings

        found = fn(tree)
        own = {f.file for f in found if f.outcome is Outcome.FOUND}
        out = found + [f for f in pack_findings(tree, detector_id) if f.file not in own]
        out = out if keep is None else [f for f in out if keep(tree, f)]
        return out if settle is None else settle(tree, out)

    return detect


def detector(
    detector_id: str, keep: Keep | None = None, settle: Settle | None = None
) -> Callable[[DetectFn], Detector]:
    """Register ``fn`` as a detector whose documentation is its docstring; the stack packs'
    signs of the same fact are part of it; ``keep`` judges every finding, the packs' too,
    and ``settle`` all of them together (after ``keep``)."""

    def wrap(fn: DetectFn) -> Detector:
        family = fn.__module__.rsplit(".", 1)[-1]
        doc = inspect.cleandoc(fn.__doc__ or "")
        return Detector(detector_id, doc, family, with_packs(detector_id, fn, keep, settle))

    return wrap
