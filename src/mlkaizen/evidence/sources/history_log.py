"""Streaming ``git log`` over a window, for the git-history source: one pass for every
commit's identity, times, subject, revert line and changed paths, and diff searches
(``-G``) that name the commits whose changed lines match a pattern in chosen files.

Records are read as git prints them and every field is cut as it is read (a subject or a
body can be megabytes); paths are NUL-separated (``-z``), so a path may hold a newline.
A random marker starts each commit's record, so no path or message can pass for one.
Nothing is checked out; renames are not followed (a rename is its two paths); no textconv
or external diff program runs.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import dataclass, field

from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.gitcommit import GitObjects

MAX_FIELD = 4096  # bytes of each field of a record kept (a path, a name, the body's start)
MAX_TEXT = 200  # characters of a subject, name or address kept
MAX_COMMIT_PATHS = 5_000  # paths of one commit classified (a vendored tree adds thousands)
MAX_TIME = 253_402_300_799  # 9999-12-31T23:59:59Z, the last second a date can show
_SHA = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")
_STAMP = re.compile(r"^\d{1,12}$")
_REVERTS = re.compile(r"^This reverts commit ([0-9a-f]{7,64})\b", re.M)  # full or abbreviated
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
SEARCH_BATCH = 1_000  # commits one diff search names on git's command line
MAX_SPECS = 500  # files one diff search names; with more, every file of the commits is searched
# the repository's config cannot change what is printed: its encoding, a root commit's
# diff, renames, textconv or external diff programs
_DIFF = ("--encoding=UTF-8", "--root", "--no-renames", "--no-textconv", "--no-ext-diff",
         "--no-color", "--name-only")


@dataclass(frozen=True)
class Window:
    """Committer times from ``since`` to ``until``, both included."""

    since: dt.datetime
    until: dt.datetime

    def holds(self, stamp: int) -> bool:
        return self.since.timestamp() <= stamp <= self.until.timestamp()

    def args(self) -> list[str]:
        """git's own filter: it still walks every commit but prints (and diffs) only
        those of the window; the exact test is :meth:`holds`."""
        def fmt(when: dt.datetime) -> str:
            return when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S +0000")

        return [f"--since-as-filter={fmt(self.since - dt.timedelta(seconds=1))}",
                f"--until={fmt(self.until + dt.timedelta(seconds=1))}"]


@dataclass
class Logged:
    """One commit as the log pass printed it."""

    sha: str
    parents: int
    committed: int
    authored: int
    author: str
    email: str
    committer: str
    committer_email: str
    subject: str
    reverts: str | None
    paths: list[str] = field(default_factory=list)
    more_paths: int = 0  # paths past MAX_COMMIT_PATHS, not kept


def clean(raw: bytes, most: int = MAX_TEXT) -> str:
    """Text for one line of a report: control characters as spaces, cut to ``most``
    characters (``...`` when cut)."""
    text = _CONTROL.sub(" ", raw.decode("utf-8", "replace")).strip()
    return text if len(text) <= most else text[: most - 3] + "..."


def _path(fields: list[bytes], first: bool) -> str:
    raw = b"\n".join(fields)
    if first:  # git puts a newline between a commit's header and its first path
        raw = raw.removeprefix(b"\n")
    return raw.decode("utf-8", "surrogateescape")


def _header(fields: list[bytes], marker: bytes) -> Logged | None:
    """The commit a header record describes, or ``None`` when git printed one malformed."""
    if len(fields) < 7:
        return None
    head = fields[0][len(marker):].decode("ascii", "replace").split("\x1f")
    if len(head) != 4 or not _SHA.match(head[0]):
        return None
    sha, parents, committed, authored = head
    if not _STAMP.match(committed):
        return None
    if not _STAMP.match(authored) or int(authored) > MAX_TIME:
        authored = committed  # a date no calendar shows: the committer's time stands in
    body = fields[6].decode("utf-8", "replace")
    found = _REVERTS.search(body)
    return Logged(
        sha=sha,
        parents=len(parents.split()),
        committed=int(committed),
        authored=int(authored),
        author=clean(fields[1]),
        email=clean(fields[2]),
        committer=clean(fields[3]),
        committer_email=clean(fields[4]),
        subject=clean(fields[5]),
        reverts=found.group(1) if found else None,
    )


def _stream(objects: GitObjects, marker: bytes, args: list[str], fields: int,
            timeout: float) -> Generator[tuple[list[bytes] | None, str], None, None]:
    """``(header fields, "")`` for each commit record, ``(None, path)`` for each of its
    paths; when git is too old for ``--since-as-filter``, its window is left to Python."""
    try:
        with closing(objects.records(*args, fields=fields, cap=MAX_FIELD, timeout=timeout,
                                     newlines=True)) as records:
            first = False
            for rec in records:
                if rec[0].startswith(marker):
                    first = True
                    yield rec, ""
                else:
                    yield None, _path(rec, first)
                    first = False
    except MLKaizenError as exc:
        if "since-as-filter" not in exc.message:
            raise
        kept = [a for a in args if not a.startswith("--since-as-filter=")]
        yield from _stream(objects, marker, kept, fields, timeout)


def read_log(
    objects: GitObjects, window: Window, most: int, *, timeout: float = 300
) -> tuple[list[Logged], bool, int]:
    """The commits reachable from HEAD in the window, as git lists them (newest first,
    roughly), at most ``most``; whether all were read; malformed records left out."""
    marker = f"@@{secrets.token_hex(12)}@@".encode()
    fmt = f"--format={marker.decode()}%H%x1f%P%x1f%ct%x1f%at%n%an%n%ae%n%cn%n%ce%n%s%n%b"
    args = ["log", "-z", fmt, *_DIFF, *window.args(), "HEAD", "--"]
    out: list[Logged] = []
    bad = 0
    current: Logged | None = None
    stream = _stream(objects, marker, args, 7, timeout)
    with closing(stream):
        for header, path in stream:
            if header is None:
                if current is not None and len(current.paths) < MAX_COMMIT_PATHS:
                    current.paths.append(path)
                elif current is not None:
                    current.more_paths += 1
                continue
            current = _header(header, marker)
            if current is None:
                bad += 1
            elif not window.holds(current.committed):
                current = None
            elif len(out) >= most:
                return out, False, bad
            else:
                out.append(current)
    return out, True, bad


def search(
    objects: GitObjects, shas: list[str], pattern: str, paths: list[str],
    keep: Callable[[str], bool], *, timeout: float = 300,
) -> dict[str, list[str]]:
    """Commit -> its paths that ``keep`` accepts whose diff adds or removes a line matching
    ``pattern`` (a POSIX extended regex, git's ``-G``), among the commits ``shas`` (merges
    show no diff) and, when given, only in the files ``paths``: git diffs only those files
    of only those commits, in a few runs of :data:`SEARCH_BATCH` commits."""
    marker = f"@@{secrets.token_hex(12)}@@".encode()
    specs = [f":(literal){p}" for p in paths] if len(paths) <= MAX_SPECS else []
    found: dict[str, list[str]] = {}
    for start in range(0, len(shas), SEARCH_BATCH):
        batch = shas[start : start + SEARCH_BATCH]
        args = ["log", "-z", f"--format={marker.decode()}%H", *_DIFF, "--no-walk=unsorted",
                f"-G{pattern}", *batch, "--", *specs]
        sha: str | None = None
        with closing(_stream(objects, marker, args, 1, timeout)) as stream:
            for header, path in stream:
                if header is not None:
                    head = header[0][len(marker):].decode("ascii", "replace")
                    sha = head if _SHA.match(head) else None
                elif sha is not None and keep(path):
                    found.setdefault(sha, []).append(path)
    return found


def python_pattern(ere: str) -> re.Pattern[bytes]:
    """A POSIX extended regex as git's ``-G`` reads it, for Python: the bracket classes
    ``[:alnum:]`` and ``[:space:]`` spelled out (the patterns here use no other)."""
    spelled = ere.replace("[:alnum:]", "A-Za-z0-9").replace("[:space:]", " \\t\\r\\f\\v")
    return re.compile(spelled.encode())


def revisions(
    objects: GitObjects, found: dict[str, list[str]], pattern: str, *, timeout: float = 300
) -> dict[str, list[str]]:
    """Of the commits and files a diff search ``found``, those where a line matching
    ``pattern`` was *replaced*: the same file's diff removes one and adds one (a schedule or
    threshold revised). A file added, deleted or renamed (renames are not followed: two
    paths) or a line only added or removed is no revision. Read as ``-U0`` patches of only
    those files of only those commits, a batch at a time."""
    wanted = python_pattern(pattern)
    marker = f"@@{secrets.token_hex(12)}@@".encode()
    shas = list(found)
    paths = sorted({p for ps in found.values() for p in ps})
    specs = [f":(literal){p}" for p in paths] if len(paths) <= MAX_SPECS else []
    added: set[tuple[str, str]] = set()
    removed: set[tuple[str, str]] = set()
    for start in range(0, len(shas), SEARCH_BATCH):
        batch = shas[start : start + SEARCH_BATCH]
        proc = objects.command(
            "log", f"--format={marker.decode()}%H", *_DIFF[:-1], "-p", "-U0",
            "--src-prefix=a/", "--dst-prefix=b/", "--no-walk=unsorted", *batch, "--", *specs,
            timeout=timeout,
        )
        if proc.returncode != 0:
            raise MLKaizenError("git log failed while reading schedule and threshold changes")
        sha, path = "", ""
        for line in proc.stdout.split(b"\n"):
            if line.startswith(marker):
                sha, path = line[len(marker) :].decode("ascii", "replace"), ""
            elif line.startswith(b"diff --git "):
                path = ""
            elif line.startswith(b"+++ b/"):
                path = line[6:].decode("utf-8", "surrogateescape")
            elif line.startswith(b"--- a/") and not path:
                path = line[6:].decode("utf-8", "surrogateescape")  # until +++ names it
            elif line.startswith((b"+++ ", b"--- ")):
                continue
            elif line[:1] in (b"+", b"-") and path and wanted.search(line[1:]):
                (added if line[:1] == b"+" else removed).add((sha, path))
    both = added & removed
    return {
        sha: kept for sha, ps in found.items() if (kept := [p for p in ps if (sha, p) in both])
    }
