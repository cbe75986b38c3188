"""Opening a repository whose history is read from git objects, safely.

Only the checkout's own repository is read: a ``.git`` link, a gitlink, ``commondir``,
``core.worktree`` or ``objects/info/alternates`` that would lead git to another one is
refused. Used by the history replay and by the live git-history source alike.
"""

from __future__ import annotations

import os
from pathlib import Path

from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.git import foreign_repository, work_tree_of
from mlkaizen.evidence.gitcommit import GitObjects


def locate_repository(path: Path) -> tuple[Path, str]:
    """The top of the repository holding the folder ``path``, and ``path``'s folder inside
    it (``""`` at the top, else ``sub/dir/``). Raises :class:`MLKaizenError` (one line) for a
    path that is not a folder of a git repository, or a repository that borrows another's
    objects, refs or work tree. The repository may have no commits."""
    if not path.is_dir():
        raise MLKaizenError("not a directory; give a folder of a git repository", str(path))
    found = work_tree_of(path.resolve())
    if found is None:
        raise MLKaizenError("not a git repository (history needs one)", str(path))
    problem = foreign_repository(found)
    if problem is not None:
        raise MLKaizenError(f"{problem}; history reads only the repository it is given", str(path))
    probe = GitObjects(found)
    proc = probe.command(
        "rev-parse", "--path-format=absolute", "--show-toplevel", "--git-dir", "--git-common-dir"
    )
    lines = proc.stdout.decode("utf-8", "surrogateescape").splitlines()
    if proc.returncode != 0 or len(lines) != 3:
        raise MLKaizenError("not a git repository (history needs one)", str(path))
    if os.path.realpath(lines[0]) != os.path.realpath(found):
        raise MLKaizenError(
            "the repository's work tree is another folder (core.worktree); history reads only "
            "the repository it is given",
            str(path),
        )
    dot_git = found / ".git"
    if dot_git.is_dir() and {os.path.realpath(x) for x in lines[1:]} != {
        os.path.realpath(dot_git)
    }:
        raise MLKaizenError(
            "git reads another repository than the checkout's `.git`; history reads only the "
            "repository it is given",
            str(path),
        )
    rel = os.path.relpath(path.resolve(), found.resolve())
    prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
    return Path(lines[0]), prefix


def has_commits(objects: GitObjects) -> bool:
    """Whether ``HEAD`` names a commit (a repository just initialised has none)."""
    return objects.command("rev-parse", "--verify", "-q", "HEAD^{commit}").returncode == 0


def open_repository(path: Path) -> tuple[GitObjects, Path, str]:
    """The repository holding ``path`` (see :func:`locate_repository`), which must have a
    commit, and ``path``'s folder inside it."""
    top, prefix = locate_repository(path)
    objects = GitObjects(top)
    if not has_commits(objects):
        raise MLKaizenError("the repository has no commits yet", str(path))
    return objects, top, prefix
