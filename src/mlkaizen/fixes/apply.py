"""Plan, show and apply a fix: a unified diff for ``--dry-run``; new files written; existing
files changed only with ``--force``; applying twice changes nothing.

Every file is read and written below the repository without following links (see
:mod:`mlkaizen.fsio`): a target that is a link, a hard link, not a regular file, or cannot be
read is refused, never treated as absent."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.git import run_git
from mlkaizen.fixes.base import Change, Fix, FixContext
from mlkaizen.fsio.read import read_below
from mlkaizen.fsio.write import write_text

MAX_READ = 2 * 1024 * 1024


@dataclass(frozen=True)
class Planned:
    change: Change
    before: str | None  # current content, None if the file does not exist (or is unreadable)
    exists: bool = False  # something is already at the path

    @property
    def status(self) -> str:
        if self.exists and self.before is None:
            return "unreadable"  # not UTF-8, too large, not a regular file: never replaced
        if self.before is None:
            return "create"
        if self.before == self.change.content:
            return "unchanged"
        return "edit" if self.change.edit else "overwrite"


def reader(root: Path) -> Callable[[str], str | None]:
    """What planners read for information: ``None`` for anything absent or unusable."""

    def read(rel: str) -> str | None:
        try:
            return read_below(root, _checked(root, rel), MAX_READ)
        except (MLKaizenError, OSError):
            return None

    return read


def _checked(root: Path, rel: str) -> str:
    pure = PurePosixPath(rel)
    if not rel or pure.is_absolute() or ".." in pure.parts or "\\" in rel:
        raise MLKaizenError(f"fix would write outside the repository: {rel}", str(root))
    return "/".join(p for p in pure.parts if p != ".")


def current(root: Path, rel: str) -> str | None:
    """A target's content, ``None`` if absent; refused (exit 2) if it cannot be used."""
    return read_below(root, _checked(root, rel), MAX_READ)


def plan(fix: Fix, ctx: FixContext) -> list[Planned]:
    return [_planned(ctx.root, c) for c in fix.plan(ctx)]


def _planned(root: Path, change: Change) -> Planned:
    """A change with its target's content. A target whose content cannot be used (over the
    size limit, not UTF-8) is marked unreadable and never replaced; one that is a link, a
    hard link or not a regular file is refused outright (exit 2)."""
    try:
        return Planned(change, current(root, change.path))
    except MLKaizenError as exc:
        if "limit" in exc.message or "not UTF-8" in exc.message:
            return Planned(change, None, exists=True)
        raise


def unreadable(planned: list[Planned]) -> list[str]:
    return [p.change.path for p in planned if p.status == "unreadable"]


def diff(planned: list[Planned]) -> str:
    """The unified diff of the planned changes, for the terminal: the repository's lines and
    paths with every control character but the tab made visible (``\\x1b``), so an escape
    sequence in an existing file is shown, never acted on."""
    from mlkaizen.report.escape import visible_lines

    out: list[str] = []
    for p in planned:
        if p.status == "unreadable":
            out.append(f"# {p.change.path}: exists but cannot be read fully; left as it is\n")
            continue
        if p.status == "unchanged":
            continue
        before = (p.before or "").splitlines(keepends=True)
        after = p.change.content.splitlines(keepends=True)
        out += difflib.unified_diff(
            before,
            after,
            fromfile="/dev/null" if p.before is None else f"a/{p.change.path}",
            tofile=f"b/{p.change.path}",
        )
    return visible_lines("".join(out), tabs=True)


def apply(root: Path, planned: list[Planned], force: bool) -> list[str]:
    """Write the planned changes; returns one line per file. Refuses (writing nothing) when
    an existing file would change and ``force`` is not set, and always when an existing file
    could not be read fully (not UTF-8, over the size limit, not a regular file)."""
    if unreadable(planned):
        raise MLKaizenError(
            f"cannot read existing {_files(unreadable(planned))} "
            + ", ".join(unreadable(planned))
            + " fully (not UTF-8, too large or not a regular file); not replaced, even with "
            "--force: move them aside to apply this fix",
            str(root),
        )
    blocked = [p.change.path for p in planned if p.status in ("edit", "overwrite")]
    if blocked and not force:
        raise MLKaizenError(
            f"would change existing {_files(blocked)} "
            + ", ".join(blocked)
            + "; review with --dry-run, then re-run with --force",
            str(root),
        )
    lines = []
    for p in planned:
        if p.status == "unchanged":
            lines.append(f"unchanged {p.change.path}")
            continue
        rel = _checked(root, p.change.path)
        write_text(root / rel, p.change.content, root=root, inside=True, overwrite=force)
        lines.append(f"{'created' if p.before is None else 'updated'} {p.change.path}")
    return lines


def dirty(root: Path) -> bool | None:
    """Whether the git working tree has uncommitted changes (False outside git; ``None``
    when it cannot be told without running the repository's own filters)."""
    from mlkaizen.evidence.git import defines_filters

    if defines_filters(root):
        return None
    proc = run_git(root, "status", "--porcelain", "--ignore-submodules=all")
    return proc is not None and proc.returncode == 0 and bool(proc.stdout.strip())


def _files(paths: list[str]) -> str:
    return "file" if len(paths) == 1 else "files"
