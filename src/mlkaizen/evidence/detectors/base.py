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

from mlkaizen.evidence.detectors.notebook_runs import runs_notebook
from mlkaizen.evidence.findings import Context, Finding, Outcome
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


def by_hand_in_notebooks(tree: RepoTree, findings: list[Finding]) -> list[Finding]:
    """``findings``, each ``partial``, when every one credited to the project (not a test's
    nor a tutorial's) is in a Jupyter notebook that nothing runs: what only an interactive
    session does (a notebook reading a bucket) is done by hand, not a way the project's code
    or configuration does it. A notebook that a job, a script or a pipeline names by its path
    (a Databricks ``notebook_task``, ``papermill``) is the project's code, and so is a
    Databricks notebook kept as a ``.py`` source file (the workspace runs it as a job's)."""
    held = [f for f in findings if f.outcome is Outcome.FOUND and f.context is Context.PROJECT]
    notebooks = {f.file or "" for f in held}
    if not held or not all(rel.endswith(".ipynb") for rel in notebooks):
        return findings
    if any(runs_notebook(tree, rel) for rel in notebooks):
        return findings
    only = {"outcome": Outcome.PARTIAL}
    return [
        f.model_copy(update={**only, "detail": f"{f.detail} (in a notebook only)"})
        if f.outcome is Outcome.FOUND and (f.file or "").endswith(".ipynb")
        else f
        for f in findings
    ]
