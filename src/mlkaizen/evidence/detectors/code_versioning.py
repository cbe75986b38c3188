"""Code versioning: the project's code lives in a version control system."""

from __future__ import annotations

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.tree import RepoTree


@detector("code_under_version_control")
def code_under_version_control(tree: RepoTree) -> list[Finding]:
    """The scanned folder is inside a Git (or Mercurial/SVN) work tree.

    Why: every other practice — reviews, CI, reproducible training — starts from versioned code.
    Evidence: a ``.git`` (directory or worktree file), ``.hg`` or ``.svn`` at the root or above,
    or files read straight from a git commit (a bare repository has no ``.git`` to find).
    """
    for up, folder in enumerate((tree.root, *tree.root.parents)):
        for marker in (".git", ".hg", ".svn"):
            if (folder / marker).exists():
                # relative to the scanned folder: a report never shows the assessor's paths
                where = "../" * up + marker
                return [
                    tree.finding(
                        "code_under_version_control",
                        None,
                        None,
                        f"version control: {where}",
                        vcs=marker.strip("."),
                    )
                ]
    if tree.listing == "git-commit":
        return [
            tree.finding(
                "code_under_version_control", None, None, "version control: a git commit",
                vcs="git",
            )
        ]
    return []


DETECTORS = [code_under_version_control]
