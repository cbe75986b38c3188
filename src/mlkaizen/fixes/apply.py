"""Plan, show and apply a fix: a unified diff for ``--dry-run``; new files written; existing
files changed only with ``--force``; applying twice changes nothing."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.git import run_git
from mlkaizen.fixes.base import Change, Fix, FixContext

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
    def read(rel: str) -> str | None:
        path = _inside(root, rel)
        if not path.is_file() or path.is_symlink() or path.stat().st_size > MAX_READ:
            return None
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    return read


def _inside(root: Path, rel: str) -> Path:
    path = root / rel
    if (
        ".." in Path(rel).parts
        or Path(rel).is_absolute()
        or not path.resolve().is_relative_to(root.resolve())
    ):
        raise MLKaizenError(f"fix would write outside the repository: {rel}", str(root))
    return path


def plan(fix: Fix, ctx: FixContext) -> list[Planned]:
    return [
        Planned(c, ctx.read(c.path), os.path.lexists(_inside(ctx.root, c.path)))
        for c in fix.plan(ctx)
    ]


def unreadable(planned: list[Planned]) -> list[str]:
    return [p.change.path for p in planned if p.status == "unreadable"]


def diff(planned: list[Planned]) -> str:
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
    return "".join(out)


def apply(root: Path, planned: list[Planned], force: bool) -> list[str]:
    """Write the planned changes; returns one line per file. Refuses (writing nothing) when
    an existing file would change and ``force`` is not set, and always when an existing file
    could not be read fully (not UTF-8, over the size limit, not a regular file)."""
    if unreadable(planned):
        raise MLKaizenError(
            "cannot read existing file(s) "
            + ", ".join(unreadable(planned))
            + " fully (not UTF-8, too large or not a regular file); not replaced, even with "
            "--force: move them aside to apply this fix",
            str(root),
        )
    blocked = [p.change.path for p in planned if p.status in ("edit", "overwrite")]
    if blocked and not force:
        raise MLKaizenError(
            "would change existing file(s) "
            + ", ".join(blocked)
            + "; review with --dry-run, then re-run with --force",
            str(root),
        )
    lines = []
    for p in planned:
        if p.status == "unchanged":
            lines.append(f"unchanged {p.change.path}")
            continue
        path = _inside(root, p.change.path)
        if path.is_symlink():
            raise MLKaizenError(f"refusing to write through a symlink: {p.change.path}", str(root))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(p.change.content, encoding="utf-8")
        lines.append(f"{'created' if p.before is None else 'updated'} {p.change.path}")
    return lines


def dirty(root: Path) -> bool:
    """Whether the git working tree has uncommitted changes (False outside git)."""
    proc = run_git(root, "status", "--porcelain")
    return proc is not None and proc.returncode == 0 and bool(proc.stdout.strip())
