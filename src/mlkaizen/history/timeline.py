"""Which commits a replay visits: the first-parent line, a time window, a sampling rule."""

from __future__ import annotations

import datetime as dt
import re
from contextlib import closing
from dataclasses import dataclass, field

from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.git import commit_stamp as _stamp
from mlkaizen.evidence.gitcommit import GitObjects
from mlkaizen.history.model import CommitInfo
from mlkaizen.textfmt import counted

MAX_TEXT = 200  # characters of a commit's author or subject kept (cut by git, as it prints)
MAX_COMMITS = 50_000  # newest commits of the first-parent line listed
# a span, as --since and --every both take it: 6m, 6mo, 6 months, 2w, 2 weeks, 1y, 10 days
_RELATIVE = re.compile(
    r"^(\d{1,9})\s*(d|days?|w|wks?|weeks?|m|mos?|months?|y|yrs?|years?)$", re.ASCII
)
_COUNT = re.compile(r"^\d{1,9}$", re.ASCII)
_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}
_EPOCH = "1970-01-01"


LOG_FORMAT = "--format=%H%x1f%T%x1f%ct%x1f%aI%n%an%n%s"
"""What git prints of a commit: its ids, committer time and author date (git's own output),
then the author and the subject on lines of their own (a name holds no newline; a subject
is one line). Both are cut as they are read (:func:`_listed`), never held whole."""


def parse_when(text: str, now: dt.datetime, option: str) -> int:
    """``2y``, ``6m``, ``3w``, ``10d`` before ``now``, or an ISO date/time: epoch seconds."""
    value = text.strip().lower()
    match = _RELATIVE.match(value)
    if match:
        return int(now.timestamp()) - int(match[1]) * _DAYS[match[2][0]] * 86_400
    try:
        when = dt.datetime.fromisoformat(text.strip())
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return int(when.timestamp())
    except (ValueError, OverflowError):
        raise MLKaizenError(
            f"{option} {text!r}: expected a date (2025-01-31) or an age (10d, 3w, 6m, 2y)"
        ) from None


def parse_every(text: str) -> str | int:
    """``week``, ``month``, ``commit`` (= 1), a number of commits, or a span of time as
    ``--since`` takes it (``6m``, ``2w``): normalised to days (``180d``)."""
    value = text.strip().lower()
    if value in ("week", "month"):
        return value
    if value == "commit":
        return 1
    if _COUNT.match(value) and int(value) > 0:
        return int(value)
    match = _RELATIVE.match(value)
    if match and int(match[1]) > 0:
        return f"{int(match[1]) * _DAYS[match[2][0]]}d"
    raise MLKaizenError(
        f"--every {text!r}: expected week, month, commit, a number N > 0 or a span (6m, 2w)"
    )


@dataclass
class LogProblems:
    """What was wrong in the commits listed: counted, each kind reported once."""

    bad_dates: list[str] = field(default_factory=list)  # short ids
    unreadable: int = 0
    listed_all: bool = True

    def notes(self) -> list[str]:
        out: list[str] = []
        if self.bad_dates:
            first = ", ".join(self.bad_dates[:3])
            more = ", ..." if len(self.bad_dates) > 3 else ""
            out.append(
                f"{counted(len(self.bad_dates), 'commit')} with a malformed or out-of-range date "
                f"({first}{more}): shown at their committer time, or at {_EPOCH} "
                "without a usable one"
            )
        if self.unreadable:
            out.append(f"{counted(self.unreadable, 'commit record')} git could not print; left out")
        if not self.listed_all:
            out.append(
                f"limit max_commits={MAX_COMMITS:,} reached: the history starts at the "
                f"{MAX_COMMITS:,}th newest commit of the first-parent line"
            )
        return out


def _iso(text: str) -> bool:
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return when.tzinfo is not None


def _listed(
    objects: GitObjects, args: list[str], problems: LogProblems, most: int | None = None
) -> list[CommitInfo]:
    """The commits ``git log ARGS`` prints (at most ``most``), author and subject cut to
    :data:`MAX_TEXT` characters as they are read."""
    commits: list[CommitInfo] = []
    records = objects.records(
        "log", "-z", "--no-color", LOG_FORMAT, *args, fields=3, cap=4 * MAX_TEXT + 4
    )
    with closing(records):  # stopping early ends git at once
        for fields in records:
            if most is not None and len(commits) >= most:
                problems.listed_all = False
                break
            head = fields[0].decode("utf-8", "replace").strip("\n").split("\x1f")
            if len(fields) != 3 or len(head) != 4 or len(head[0]) < 40:
                problems.unreadable += 1
                continue
            sha, tree, committed, date = head
            stamp = _stamp(committed)
            if stamp is None or not _iso(date):
                problems.bad_dates.append(sha[:7])
            if stamp is None:
                stamp = 0
            if not _iso(date):
                date = dt.datetime.fromtimestamp(stamp, dt.UTC).isoformat()
            commits.append(
                CommitInfo(
                    sha=sha,
                    tree=tree,
                    author=_cut(fields[1]),
                    author_date=date,
                    committed=stamp,
                    message=_cut(fields[2]),
                )
            )
    return commits


def _cut(raw: bytes) -> str:
    """A name or subject as shown: at most :data:`MAX_TEXT` characters, ``...`` when cut."""
    text = raw.decode("utf-8", "replace")
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


def first_parent(
    objects: GitObjects, head: str = "HEAD", problems: LogProblems | None = None
) -> list[CommitInfo]:
    """The first-parent line that ends at ``head``, oldest first (its newest
    :data:`MAX_COMMITS` commits)."""
    problems = problems if problems is not None else LogProblems()
    line = _listed(objects, ["--first-parent", head, "--"], problems, MAX_COMMITS)
    return list(reversed(line))


def resolve(
    objects: GitObjects, revisions: list[str], problems: LogProblems | None = None
) -> list[CommitInfo]:
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
    found = _listed(objects, ["--no-walk=unsorted", *shas, "--"], problems or LogProblems())
    return sorted(found, key=lambda c: c.committed)


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
    (committer time, UTC), of each span of N days counted back from the newest commit
    (``"180d"``), or every N-th commit counted back from the newest. The newest commit is
    always a point."""
    if not commits:
        return []
    last = len(commits) - 1
    if isinstance(every, int):
        return sorted(range(last, -1, -every))
    if every.endswith("d"):
        span, newest = int(every[:-1]) * 86_400, commits[last].committed
        bucket = [(newest - c.committed) // span for c in commits]
        return [i for i in range(last + 1) if i == last or bucket[i] != bucket[i + 1]]
    chosen = [
        i
        for i, c in enumerate(commits)
        if i == last or _period(c, every) != _period(commits[i + 1], every)
    ]
    return chosen
