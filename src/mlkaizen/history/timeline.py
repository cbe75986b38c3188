"""Which commits a replay visits: the first-parent line, a time window, a sampling rule."""

from __future__ import annotations

import datetime as dt
import re

from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.gitcommit import GitObjects
from mlkaizen.history.model import CommitInfo

LOG_FORMAT = "--format=%H%x1f%T%x1f%an%x1f%aI%x1f%ct%x1f%s"
_RELATIVE = re.compile(r"^(\d+)\s*([dwmy])$")
_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def parse_when(text: str, now: dt.datetime, option: str) -> int:
    """``2y``, ``6m``, ``3w``, ``10d`` before ``now``, or an ISO date/time: epoch seconds."""
    value = text.strip().lower()
    match = _RELATIVE.match(value)
    if match:
        return int((now - dt.timedelta(days=int(match[1]) * _DAYS[match[2]])).timestamp())
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise MLKaizenError(
            f"{option} {text!r}: expected a date (2025-01-31) or an age (10d, 3w, 6m, 2y)"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return int(when.timestamp())


def parse_every(text: str) -> str | int:
    """``week``, ``month``, ``commit`` (= 1) or a number of commits."""
    value = text.strip().lower()
    if value in ("week", "month"):
        return value
    if value == "commit":
        return 1
    if value.isdigit() and int(value) > 0:
        return int(value)
    raise MLKaizenError(f"--every {text!r}: expected week, month, commit or a number N > 0")


def _parse_log(out: str) -> list[CommitInfo]:
    commits: list[CommitInfo] = []
    for raw in out.split("\0"):
        record = raw.strip("\n")
        if not record:
            continue
        sha, tree, author, date, committed, message = record.split("\x1f", 5)
        commits.append(
            CommitInfo(
                sha=sha,
                tree=tree,
                author=author,
                author_date=date,
                committed=int(committed),
                message=message.splitlines()[0] if message else "",
            )
        )
    return commits


def first_parent(objects: GitObjects, head: str = "HEAD") -> list[CommitInfo]:
    """The first-parent line that ends at ``head``, oldest first."""
    out = objects.text("log", "--first-parent", "-z", "--no-color", LOG_FORMAT, head, "--")
    return list(reversed(_parse_log(out)))


def resolve(objects: GitObjects, revisions: list[str]) -> list[CommitInfo]:
    """Explicit revisions, each checked, ordered by commit time (duplicates once)."""
    shas: list[str] = []
    for rev in revisions:
        proc = objects.command(
            "rev-parse", "--verify", "-q", "--end-of-options", f"{rev}^{{commit}}"
        )
        if proc.returncode != 0 or rev.startswith("-"):
            raise MLKaizenError(f"bad revision {rev!r}: not a commit of this repository")
        sha = proc.stdout.decode("ascii").strip()
        if sha not in shas:
            shas.append(sha)
    out = objects.text("log", "--no-walk=unsorted", "-z", "--no-color", LOG_FORMAT, *shas, "--")
    return sorted(_parse_log(out), key=lambda c: c.committed)


def window(commits: list[CommitInfo], since: int | None, until: int | None) -> list[CommitInfo]:
    return [
        c
        for c in commits
        if (since is None or c.committed >= since) and (until is None or c.committed <= until)
    ]


def _period(c: CommitInfo, every: str) -> tuple[int, int]:
    when = dt.datetime.fromtimestamp(c.committed, dt.UTC)
    if every == "week":
        year, week, _ = when.isocalendar()
        return year, week
    return when.year, when.month


def sample(commits: list[CommitInfo], every: str | int) -> list[int]:
    """Indices of the sampled commits (oldest first): the last commit of each week or month
    (committer time, UTC), or every N-th commit counted back from the newest. The newest
    commit is always a point."""
    if not commits:
        return []
    last = len(commits) - 1
    if isinstance(every, int):
        return sorted(range(last, -1, -every))
    chosen = [
        i
        for i, c in enumerate(commits)
        if i == last or _period(c, every) != _period(commits[i + 1], every)
    ]
    return chosen
