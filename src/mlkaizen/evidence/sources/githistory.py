"""The git history of a repository over a window, read from git objects without a checkout:
which commits changed training code, data pointers, params, metrics, CI and monitoring
config; reverts; commits made by automation; tags.

Runs git only through the neutralised invocation of :mod:`mlkaizen.evidence.gitcommit`:
one ``git log`` pass over the window (every commit's times, people, subject, revert line
and changed paths), then git's diff search (``-G``) for schedule lines and for threshold
lines, each run only on the commits that changed a file it concerns and only in those
files, and one ``for-each-ref`` for the tags. Nothing is written.

Merges bring no kinds of their own: what they merge is in the commits of the merged
branch, which the pass reads too (every commit reachable from HEAD, not only the
first-parent line). A folder of the repository limits ``commits`` and ``commits_total`` to
the commits that changed a path under it (paths stay relative to the repository);
``commit_times`` and ``tags`` are the whole repository's, so that a tracked run's commit
can be placed in time wherever it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from mlkaizen.evidence.facts.history_accounts import is_automation
from mlkaizen.evidence.facts.history_paths import kinds_of, schedule_file
from mlkaizen.evidence.facts.live import ChangeKind, Commit, HistoryFacts, Problem, Tag
from mlkaizen.evidence.gitcommit import GitObjects
from mlkaizen.evidence.gitopen import has_commits, locate_repository
from mlkaizen.evidence.sources.history_log import (
    MAX_COMMIT_PATHS,
    Logged,
    Window,
    clean,
    read_log,
    revisions,
    search,
)
from mlkaizen.textfmt import counted

SOURCE = "git history"
MAX_PATHS = 20  # ML-related paths kept for one commit
MAX_TAGS = 10_000  # newest tags read
MAX_NESTED = 100  # tags of tags peeled one by one
# a line that sets a timer: GitHub/Azure `cron:`, Airflow `schedule_interval=`, Kubernetes
# and Argo `schedule:`, Jenkins `cron('H 2 * * *')`, `@daily`, AWS `rate(1 day)`...
SCHEDULE_LINE = (
    r"(^|[^[:alnum:]_])(cron|crontab|cron_schedule|schedule|schedules|schedule_interval"
    r"|schedule_expression|ScheduleExpression)[\"']?[[:space:]]*[:=(]"
    r"|@(hourly|daily|weekly|monthly|yearly|annually|midnight)([^[:alnum:]_]|$)"
    r"|CronSchedule|CronTrigger|rate\([0-9]+ (minute|hour|day)s?\)"
    r"|CI_PIPELINE_SOURCE.{0,8}schedule"
)
# a line that sets a drift or quality threshold: a key naming one, a comparison of an alert
# expression with a number, Evidently's gt/lt conditions
THRESHOLD_LINE = (
    r"(^|[^[:alnum:]])[[:alnum:]_]*(threshold|drift_share|tolerance|p_?value|psi|_bound"
    r"|max_drift|min_accuracy)[[:alnum:]_]*[\"']?[[:space:]]*[:=]"
    r"|expr:.*[<>]=?[[:space:]]*-?[0-9]"
    r"|(^|[^[:alnum:]_])(gt|gte|lt|lte)[\"']?[[:space:]]*[:=][[:space:]]*-?[0-9]"
)


def _utc(when: dt.datetime) -> dt.datetime:
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def _at(stamp: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(stamp, dt.UTC)


def read_history(
    path: Path, since: dt.datetime, until: dt.datetime, *, max_commits: int = 200_000
) -> HistoryFacts:
    """The history of the repository holding ``path`` between ``since`` and ``until``
    (only the part under ``path`` when it is a folder of the repository). Raises
    :class:`~mlkaizen.errors.MLKaizenError` when ``path`` is not in a git repository or git
    fails; a budget cut is a problem in the facts (``complete`` False)."""
    since, until = _utc(since), _utc(until)
    top, prefix = locate_repository(Path(path))
    facts = HistoryFacts(repository=top.name, head="", since=since, until=until)
    with GitObjects(top) as objects:
        if not has_commits(objects):
            problem = Problem(source=SOURCE, message="the repository has no commits yet")
            return facts.model_copy(update={"problems": [problem]})
        head = objects.text("rev-parse", "--verify", "HEAD^{commit}").strip()
        return _read(objects, facts.model_copy(update={"head": head}), prefix, max_commits)


def _read(objects: GitObjects, facts: HistoryFacts, prefix: str, most: int) -> HistoryFacts:
    window = Window(facts.since, facts.until)
    problems: list[Problem] = []
    shallow = objects.text("rev-parse", "--is-shallow-repository").strip() == "true"
    if shallow:
        problems.append(Problem(source=SOURCE, message=(
            "shallow clone: the history starts at the oldest commit fetched "
            "(fetch more with `git fetch --unshallow`)")))
    logged, complete, bad = read_log(objects, window, most)
    if not complete:
        problems.append(Problem(source=SOURCE, message=(
            f"limit max_commits={most:,} reached: only the newest {most:,} commits of the "
            "window are read (narrow the window)")))
    crowded = sum(c.more_paths > 0 for c in logged)
    if crowded:
        problems.append(Problem(source=SOURCE, message=(
            f"{counted(crowded, 'commit')} changed over {MAX_COMMIT_PATHS:,} files: only "
            f"their first {MAX_COMMIT_PATHS:,} paths are classified")))
    if bad:
        problems.append(Problem(source=SOURCE, message=(
            f"{counted(bad, 'commit record')} git printed malformed; left out")))

    def under(rel: str) -> bool:
        return rel.startswith(prefix)

    def monitoring(rel: str) -> bool:
        return under(rel) and ChangeKind.MONITORING in kinds_of(rel)

    def scheduling(rel: str) -> bool:
        return under(rel) and schedule_file(rel)

    cut = {c.sha for c in logged if shallow and c.parents == 0}  # the clone's boundary
    read = [c for c in logged if c.sha not in cut]
    schedules = revisions(objects, _search(objects, read, SCHEDULE_LINE, scheduling),
                          SCHEDULE_LINE)
    thresholds = revisions(objects, _search(objects, read, THRESHOLD_LINE, monitoring),
                           THRESHOLD_LINE)
    tags, tag_problems = _tags(objects, window)
    targets = {t.sha for t in tags}
    commits: list[Commit] = []
    total = 0
    for c in logged:
        paths = [] if c.sha in cut else [p for p in c.paths if under(p)]
        if prefix and not paths:
            continue  # a merge, or a commit that changed nothing under the folder
        total += 1
        kinds: dict[str, frozenset[ChangeKind]] = {p: kinds_of(p) for p in paths}
        extra: set[ChangeKind] = set()
        for found, kind in ((schedules, ChangeKind.SCHEDULE), (thresholds, ChangeKind.THRESHOLD)):
            for p in found.get(c.sha, []):
                extra.add(kind)
                kinds[p] = kinds.get(p, frozenset()) | {kind}
        ml_paths = sorted(p for p, k in kinds.items() if k)
        all_kinds = frozenset(extra.union(*kinds.values()))
        if all_kinds or c.reverts or c.sha in targets:
            commits.append(_commit(c, all_kinds, ml_paths))
    commits.sort(key=lambda c: c.committed, reverse=True)
    return facts.model_copy(update={
        "commits_total": total,
        "commits": commits,
        "tags": tags,
        "commit_times": {c.sha: _at(c.committed) for c in logged},
        "begins": min((_at(c.committed) for c in logged if c.parents == 0), default=None)
        if not shallow else None,
        "complete": complete,
        "problems": problems + tag_problems,
    })


def _search(objects: GitObjects, logged: list[Logged], pattern: str,
            keep: Callable[[str], bool]) -> dict[str, list[str]]:
    """The diff search of ``pattern`` in the files ``keep`` accepts, run only on the
    commits that changed one (the log pass listed every commit's paths)."""
    shas: list[str] = []
    paths: set[str] = set()
    for c in logged:
        mine = [p for p in c.paths if keep(p)]
        if mine:
            shas.append(c.sha)
            paths.update(mine)
    return search(objects, shas, pattern, sorted(paths), keep) if shas else {}


def _commit(c: Logged, kinds: frozenset[ChangeKind], paths: list[str]) -> Commit:
    return Commit(
        sha=c.sha,
        committed=_at(c.committed),
        authored=_at(c.authored),
        author=c.author,
        email=c.email,
        subject=c.subject,
        kinds=kinds,
        paths=tuple(clean(p.encode("utf-8", "surrogateescape"), 1000) for p in paths[:MAX_PATHS]),
        automation=is_automation(c.author, c.email) or is_automation(c.committer,
                                                                      c.committer_email),
        reverts=c.reverts,
    )


def _tags(objects: GitObjects, window: Window) -> tuple[list[Tag], list[Problem]]:
    """The tags made in the window (tagger time, or the commit's for a lightweight tag),
    newest first, each with the commit it points at (tags of trees and blobs left out)."""
    # a ref name holds no space nor control character (git refuses them): one line a tag
    fmt = ("--format=%(objecttype) %(*objecttype) %(objectname) %(*objectname) "
           "%(creatordate:unix) %(refname)")
    lines = objects.text("for-each-ref", fmt, "--sort=-creatordate", f"--count={MAX_TAGS + 1}",
                         "refs/tags").splitlines()
    tags: list[Tag] = []
    problems: list[Problem] = []
    if len(lines) > MAX_TAGS:
        problems.append(Problem(source=SOURCE, message=(
            f"limit max_tags={MAX_TAGS:,} reached: older tags are not read")))
    nested = 0
    for line in lines[:MAX_TAGS]:
        parts = line.split(" ", 5)
        if len(parts) != 6 or not parts[4].isdigit() or not window.holds(int(parts[4])):
            continue
        name = clean(parts[5].encode("utf-8", "surrogateescape")).removeprefix("refs/tags/")
        kind, peeled_kind, oid, peeled, stamp, _ = parts
        sha = oid if kind == "commit" else peeled if peeled_kind == "commit" else None
        if sha is None and peeled_kind == "tag" and nested < MAX_NESTED:
            nested += 1
            sha = _peel(objects, peeled)
        if sha is not None:
            tags.append(Tag(name=name, sha=sha, when=_at(int(stamp))))
    return tags, problems


def _peel(objects: GitObjects, oid: str) -> str | None:
    """The commit a tag of a tag finally points at, if it is one."""
    proc = objects.command("rev-parse", "--verify", "-q", f"{oid}^{{commit}}")
    text = proc.stdout.decode("ascii", "replace").strip()
    return text if proc.returncode == 0 and text else None

