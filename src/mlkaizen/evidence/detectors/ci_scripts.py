"""The Python scripts of the repository that a CI command runs: ``python path.py`` and
``python -m package.module``, read from the segments of the command that do work (the pattern
and the module's file are shared with what reads whether a run is kept)."""

from __future__ import annotations

import re

from mlkaizen.evidence.detectors.documents import in_folder, step_folder
from mlkaizen.evidence.detectors.step_kinds import ml_work
from mlkaizen.evidence.tree import RepoTree, SubTree

# ``python pipelines/train_pipeline.py --upsert``, ``python -u -m pipelines.start_run``
PYTHON_RUNS = re.compile(
    r"\bpython[\d.]*\s+(?:-\w+\s+)*?(?:-m\s+([A-Za-z_][\w.]*)|([\w./-]+\.py))\b"
)


def script_path(tree: RepoTree, path: str) -> str:
    """The file a command's script path names (a repository path, seen from a sub-project)."""
    rel = path.removeprefix("./")
    if rel not in tree.sizes and isinstance(tree, SubTree) and rel.startswith(tree.prefix):
        rel = rel[len(tree.prefix) :]
    return rel


def module_file(tree: RepoTree, module: str, cwd: str = "") -> str | None:
    """The file of the repository that ``python -m module`` runs: the module, its package's
    ``__main__``, from the folder the command runs in (``cwd``), the root or ``src/``;
    ``None`` for an installed tool (``pip``)."""
    stem = module.replace(".", "/")
    folder = step_folder(tree, cwd) if cwd else ""
    for base in (f"{folder}/" if folder else "", "", "src/"):
        for rel in (f"{base}{stem}.py", f"{base}{stem}/__main__.py"):
            if rel in tree.sizes:
                return rel
    return None


def scripts_run(tree: RepoTree, command: str, cwd: str = "") -> list[str]:
    """The scripts ``command`` runs, in order: each path as the repository names it (there or
    not; from ``cwd``, the folder the command runs in, when it is there), each module only
    when the repository holds it."""
    out: list[str] = []
    for match in PYTHON_RUNS.finditer(ml_work(command)):
        module, path = match.groups()
        if module:
            rel = module_file(tree, module, cwd)
        else:
            rel = in_folder(tree, path, "", 0, cwd) or script_path(tree, path)
        if rel is not None:
            out.append(rel)
    return out
