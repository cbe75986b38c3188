"""Which Jupyter notebooks something runs (a job's ``notebook_task``, a script's
``papermill`` or ``jupyter nbconvert --execute``, a pipeline that names them by their path),
and what only a notebook that nothing runs shows: work done by hand."""

from __future__ import annotations

import posixpath
import re

from mlkaizen.evidence.findings import Context, Finding, Outcome
from mlkaizen.evidence.testcode import is_test_path
from mlkaizen.evidence.tree import RepoTree

_RUNNERS = (".yml", ".yaml", ".toml", ".cfg", ".sh", ".py", ".json")
_SMALL_JSON = 64 * 1024  # a job's JSON specification; larger JSON is data
_SMALL_CONFIG = 512 * 1024
# words that say a file runs notebooks
_RUNS_NOTEBOOKS = re.compile(
    r"notebook_task|notebook_path|notebookPath|papermill|execute_notebook|nbconvert|nbclient"
    r"|jupyter\s+execute|dbutils\.notebook\.run|run_notebook|NotebookTask",
)
_PATH = re.compile(r"[\w./@~-]+")


def runs_notebook(tree: RepoTree, notebook: str) -> bool:
    """Whether a job, a script or a pipeline file (not a test) that runs notebooks names
    ``notebook`` by its path, relative to itself or to the repository, with or without
    ``.ipynb`` (a bare file name only with it), or as the end of a workspace path."""
    return notebook.removesuffix(".ipynb") in tree.memo("notebooks_run", lambda: _named(tree))


def _named(tree: RepoTree) -> frozenset[str]:
    """The repository paths (without ``.ipynb``) that files which run notebooks name."""
    out: set[str] = set()
    for rel in tree.with_suffix(*_RUNNERS):
        cap = _SMALL_JSON if rel.endswith(".json") else _SMALL_CONFIG
        if is_test_path(rel) or tree.sizes.get(rel, 0) > cap:
            continue
        text = tree.text(rel) or ""
        if not _RUNS_NOTEBOOKS.search(text):
            continue
        here = posixpath.dirname(rel)
        for token in set(_PATH.findall(text)):
            out.update(_paths(token, here))
    return frozenset(out)


def _paths(token: str, here: str) -> list[str]:
    """The repository paths ``token`` may name, from a file in folder ``here``."""
    bare = token.removesuffix(".ipynb")
    if bare == token and "/" not in token:
        return []  # a bare word names no notebook
    if token.startswith(("/", "~")):  # a workspace path: its tail may be the repository's
        parts = [p for p in bare.split("/") if p]
        return ["/".join(parts[i:]) for i in range(len(parts) - 1)]
    local = posixpath.normpath(posixpath.join(here, bare)) if here else posixpath.normpath(bare)
    return [local, posixpath.normpath(bare)]


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
