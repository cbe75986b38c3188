"""Lock files: a project's dependencies fixed to exact versions by a tool's lock file, or an
explicit conda environment (every package by its exact URL)."""

from __future__ import annotations

from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.tree import RepoTree

# the marker line near the top of an explicit conda environment (``conda list --explicit``,
# conda-lock's ``*.lock`` renders), after which every package is given by its exact URL
_EXPLICIT = "@EXPLICIT"
_EXPLICIT_NAMES = (
    *("*conda*.lock", "*environment*.lock", "*-64.lock"),
    *("*explicit*.txt", "*spec-file*.txt"),
)
LOCK_FILES = (
    "poetry.lock",
    "uv.lock",
    "pipfile.lock",
    "pdm.lock",
    "conda-lock.yml",
    "conda-lock.yaml",
    "requirements.lock",
    "pixi.lock",
)


def lock_files(tree: RepoTree) -> list[Finding]:
    """A ``dependencies_pinned`` finding for each lock file of the repository."""
    out = [
        tree.finding("dependencies_pinned", rel, 1, f"lock file {rel}")
        for rel in tree.named(*LOCK_FILES)
    ]
    for rel in tree.glob(*_EXPLICIT_NAMES):
        if _EXPLICIT in (tree.text(rel) or "")[:4096]:
            out.append(tree.finding("dependencies_pinned", rel, 1, f"explicit conda lock {rel}"))
    return out
