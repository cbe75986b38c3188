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

import datetime as dt
import os
import re
import stat
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

MAX_TIME = 253_402_300_799  # 9999-12-31T23:59:59Z, the last second a date can show
_STAMP = re.compile(r"^\d{1,12}$", re.ASCII)


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
    if top is None:
        return None
    if top != root:  # a folder of a repository: git would use the repository's `.git`
        return pointer_problem(top)
    dot_git = root / ".git"
    if dot_git.is_dir() and not dot_git.is_symlink():
        return _borrowed(root)
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
        return _borrowed(root)
    return (
        "`.git` points outside the scanned root to something that is not a git "
        "worktree or submodule; not used, the folder was walked instead"
    )


def _borrowed(root: Path) -> str | None:
    """Why git in ``root`` would read another repository's objects, refs or work tree
    (``commondir``, ``alternates``, ``core.worktree``, links in the object store), if so."""
    problem = foreign_repository(root)
    if problem is None and (root / ".git").is_dir():
        for name in ("config", "config.worktree"):  # the second with extensions.worktreeConfig
            worktree = _config_value(root / ".git" / name, "core.worktree")
            if worktree is not None and os.path.realpath(
                root / ".git" / worktree
            ) != os.path.realpath(root):
                problem = "the repository's work tree is another folder (core.worktree)"
                break
    if problem is None:
        return None
    return f"{problem}; git not used, the folder was walked instead"


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


def top_of(root: Path) -> tuple[Path, str] | None:
    """The top of the git work tree ``root`` lies in (the nearest folder, ``root`` or above
    it, holding a ``.git`` folder or file: names only, git is not run, so a repository git
    must not be used for is still named), and ``root``'s path below it (``src/``, or ``""``
    at the top); ``None`` outside git."""
    here = Path(os.path.abspath(root))
    for folder in (here, *here.parents):
        if os.path.lexists(folder / ".git"):
            rel = here.relative_to(folder).as_posix()
            return folder, "" if rel == "." else rel + "/"
    return None


def defines_filters(root: Path) -> bool:
    """Whether the repository's config names a content filter (clean/smudge/process), which
    any command comparing the working tree with the index would run."""
    proc = run_git(root, "config", "--includes", "--get-regexp", r"^filter\.")
    if proc is None:
        return True
    return proc.returncode != 1 or bool(proc.stdout.strip())


def _first_line(path: Path) -> str | None:
    """The first line of a small pointer file (``gitdir: ...``, ``commondir``), if any."""
    from mlkaizen.fsio.read import read_head

    data = read_head(path, 4096)
    if data is None:
        return None
    lines = data.decode("utf-8", "surrogateescape").splitlines()
    return lines[0].strip() if lines else ""


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _config_value(config: Path, key: str) -> str | None:
    """``key`` of one git config file (its includes followed, as git would), or ``None``."""
    try:
        proc = subprocess.run(
            [*SAFE_GIT, "config", "--includes", "--file", str(config), "--get", key],
            capture_output=True,
            text=True,
            env=git_env(),
            timeout=30,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def _linked_worktree_problem(dot_git: Path, admin: Path) -> tuple[str | None, Path]:
    """A ``.git`` file naming ``admin``: it must be this checkout's own worktree folder of a
    repository (which names it back) or its submodule folder (whose ``core.worktree`` is this
    checkout). Returns the problem, if any, and the repository's common folder."""
    top = os.path.realpath(dot_git.parent)
    commondir = _first_line(admin / "commondir") if os.path.lexists(admin / "commondir") else None
    if commondir is not None:
        back = _first_line(admin / "gitdir")
        common = Path(os.path.realpath(admin / commondir))
        if (
            back is None
            or os.path.realpath(admin / back) != os.path.realpath(dot_git)
            or Path(os.path.realpath(admin)).parent != common / "worktrees"
        ):
            return "`.git` names the worktree folder of another checkout", common
        return None, common
    worktree = _config_value(admin / "config", "core.worktree")
    if worktree is None or os.path.realpath(admin / worktree) != top:
        problem = "`.git` points to another repository (not this checkout's worktree or submodule)"
        return problem, admin
    return None, admin


def foreign_repository(top: Path) -> str | None:
    """Why git, run in the checkout ``top`` (the folder holding ``.git``), would read objects,
    refs or files of another repository or folder than this checkout's own, else ``None``.

    Refused: a ``.git`` link; a ``.git`` file (gitlink) that leads into the tree, or to
    anything but this checkout's own worktree or submodule folder (each names the checkout
    back); a ``commondir`` in a ``.git`` folder; ``objects/info/alternates``; and a link in
    the repository's objects, refs or their files. ``core.worktree`` is checked by the
    caller against the work tree git reports."""
    dot_git = top / ".git"
    real_top = os.path.realpath(top)
    if dot_git.is_symlink():
        return "`.git` is a link to another folder"
    if dot_git.is_dir():
        if os.path.lexists(dot_git / "commondir"):
            return "`.git/commondir` points git to the objects and refs of another repository"
        gitdir = common = Path(os.path.realpath(dot_git))
    elif dot_git.is_file():
        line = _first_line(dot_git) or ""
        if not line.startswith("gitdir:"):
            return "`.git` is a file that names no repository"
        gitdir = Path(os.path.realpath(top / line[7:].strip()))
        if _inside(str(gitdir), real_top):
            return "`.git` points to a folder inside the tree (a repository committed there)"
        # its config is read (includes followed) to see whose worktree it is: not before
        # it is known to be a file that cannot block git, nor include one that can
        if _special(gitdir / "config"):
            return "`config` of the repository is not a regular file"
        problem = _included(gitdir / "config")
        if problem is not None:
            return problem
        problem, common = _linked_worktree_problem(dot_git, gitdir)
        if problem is not None:
            return problem
    else:
        return "`.git` is neither a folder nor a file"
    for base, names in (
        (gitdir, ("HEAD", "config", "config.worktree", "index", "shallow")),
        (common, ("objects", "refs", "packed-refs", "config", "config.worktree", "shallow",
                  "info")),
    ):
        for name in names:
            entry = base / name
            if entry.is_symlink():
                return f"`{name}` of the repository is a link"
            if name not in ("objects", "refs", "info") and _special(entry):
                return f"`{name}` of the repository is not a regular file"
    for base in {gitdir, common}:
        for name in ("config", "config.worktree"):
            problem = _included(base / name)
            if problem is not None:
                return problem
    if os.path.lexists(common / "objects" / "info" / "alternates"):
        return "`objects/info/alternates` borrows objects from another repository"
    return _links_below(common / "objects") or _links_below(common / "refs")


def _special(path: Path) -> bool:
    """Whether ``path`` exists and is not a regular file (a FIFO, device, socket, folder):
    git would block on it or read it as it never reads a file."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode)


def _included(config: Path, depth: int = 0) -> str | None:
    """Why a file the git config ``config`` includes (``include.path``, ``includeIf``) must
    not be read: it is not a regular file (a FIFO would block git), or includes nest too
    deep. Read without following the includes themselves."""
    if depth > 8:
        return "git config includes nest too deep"
    if not os.path.lexists(config) or _special(config):
        return None
    try:
        proc = subprocess.run(
            [*SAFE_GIT, "config", "--no-includes", "--file", str(config), "--get-regexp",
             r"^include(if\..*)?\.path$"],
            capture_output=True, text=True, env=git_env(), timeout=30, check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "git config could not be read"
    for line in proc.stdout.splitlines():
        value = line.partition(" ")[2].strip()
        if not value:
            continue
        target = Path(os.path.expanduser(value))
        if not target.is_absolute():
            target = config.parent / target
        try:
            mode = os.stat(target).st_mode
        except OSError:
            continue  # git skips a missing include
        if not stat.S_ISREG(mode):
            return f"git config includes `{value}`, which is not a regular file"
        problem = _included(target, depth + 1)
        if problem is not None:
            return problem
    return None


def _links_below(folder: Path, depth: int = 0) -> str | None:
    """The first link among the files and folders below ``folder`` (objects, refs), named."""
    if depth > 32:
        return f"`{folder.name}` of the repository is nested too deep"
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return None
    for entry in entries:
        if entry.is_symlink():
            return f"`{folder.name}/{entry.name}` of the repository is a link"
        if entry.is_dir(follow_symlinks=False):
            found = _links_below(Path(entry.path), depth + 1)
            if found is not None:
                return found
    return None


def commit_stamp(text: str) -> int | None:
    """Committer time as git printed it (``%ct``), if it is a time a date can show."""
    if not _STAMP.match(text):
        return None
    value = int(text)
    return value if 0 <= value <= MAX_TIME else None


def commit_time(text: str) -> dt.datetime | None:
    """A committer time git printed (``%ct``), as a date, if it is one a date can show."""
    stamp = commit_stamp(text.strip())
    return None if stamp is None else dt.datetime.fromtimestamp(stamp, dt.UTC)


def head_commit(path: Path) -> tuple[str | None, dt.datetime | None]:
    """The commit checked out at ``path`` and its committer time (``None, None`` outside
    git, or where git must not be used; a date that is malformed or out of range is
    ``None``)."""
    proc = run_git(path, "log", "-1", "--format=%H%x1f%ct")
    if proc is None or proc.returncode != 0 or not proc.stdout.strip():
        return None, None
    sha, _, stamp = proc.stdout.strip().partition("\x1f")
    return sha, commit_time(stamp)
