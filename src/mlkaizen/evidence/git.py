"""Running git on a repository we do not trust.

Every call goes through :data:`SAFE_GIT` and :func:`git_env`: the repository's own config
cannot run anything (no fsmonitor, hooks, pager, signature programs, attributes file, ssh or
credential helpers; an implicit bare repository is refused), the system config is not read,
``GIT_*`` variables of the caller are dropped, and git never takes a lock or prompts. Only
plumbing that never applies content filters is run on the repository, plus ``status`` when
the repository defines no filter driver. A ``.git`` file or link that leads into the scanned
tree (a committed repository) or to an arbitrary folder is never used.
"""

from __future__ import annotations

import os
import subprocess
from functools import cache
from pathlib import Path

SAFE_GIT = [
    "git",
    "--no-pager",
    "--no-replace-objects",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "core.untrackedCache=false",
    "-c",
    "core.pager=cat",
    "-c",
    "core.attributesFile=/dev/null",
    "-c",
    "core.sshCommand=false",
    "-c",
    "core.askPass=false",
    "-c",
    "credential.helper=",
    "-c",
    "protocol.allow=never",
    "-c",
    "safe.bareRepository=explicit",
    "-c",
    "log.showSignature=false",
    "-c",
    "gpg.program=false",
    "-c",
    "gpg.ssh.program=false",
    "-c",
    "gpg.x509.program=false",
    "-c",
    "submodule.recurse=false",
    "-c",
    "diff.external=false",
]


def git_env() -> dict[str, str]:
    """The caller's environment without ``GIT_*`` (and pager) variables, plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k not in ("PAGER",)}
    env.update(
        {
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_ATTR_NOSYSTEM": "1",
            "GIT_PAGER": "cat",
            "GIT_NO_REPLACE_OBJECTS": "1",
            "GIT_ALLOW_PROTOCOL": "",
            "LC_ALL": "C",
        }
    )
    return env


def work_tree_of(root: Path) -> Path | None:
    """The folder holding the ``.git`` that git would use for ``root``, if any."""
    return next((p for p in (root, *root.parents) if os.path.lexists(p / ".git")), None)


@cache
def pointer_problem(root: Path) -> str | None:
    """Why git must not be used for ``root`` (its ``.git`` is a file or link that leads into
    the scanned tree or to something that is not a worktree or submodule), else ``None``."""
    top = work_tree_of(root)
    if top is None or top != root:
        return None
    dot_git = root / ".git"
    if dot_git.is_dir() and not dot_git.is_symlink():
        return None
    target: Path | None = None
    if dot_git.is_symlink():
        target = dot_git.resolve()
    else:
        from mlkaizen.fsio.read import read_head

        line = (read_head(dot_git, 4096) or b"").decode("utf-8", "replace").strip()
        if line.startswith("gitdir:"):
            target = (root / line[7:].strip()).resolve()
    if target is not None and target.is_relative_to(root):
        return (
            "`.git` points to a folder inside the scanned tree (a repository committed by "
            "the project, with its own config); not used, the folder was walked instead"
        )
    parts = target.parts if target else ()
    if target is not None and ".git" in parts and ("worktrees" in parts or "modules" in parts):
        return None
    return (
        "`.git` points outside the scanned root to something that is not a git "
        "worktree or submodule; not used, the folder was walked instead"
    )


def run_git(root: Path, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str] | None:
    """``git -C root ARGS`` with the safe settings; ``None`` when git is missing, hangs, or
    must not be used for ``root``."""
    if pointer_problem(root.resolve()) is not None:
        return None
    try:
        return subprocess.run(
            [*SAFE_GIT, "-C", str(root), *args],
            capture_output=True,
            text=True,
            env=git_env(),
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None


def defines_filters(root: Path) -> bool:
    """Whether the repository's config names a content filter (clean/smudge/process), which
    any command comparing the working tree with the index would run."""
    proc = run_git(root, "config", "--includes", "--get-regexp", r"^filter\.")
    if proc is None:
        return True
    return proc.returncode != 1 or bool(proc.stdout.strip())
