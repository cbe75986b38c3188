"""Replay a repository's history: assess sampled commits of the first-parent line, read
straight from git, and pin down the commit where each practice was gained or lost."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.catalogues import load_catalogue
from mlkaizen.config import Config
from mlkaizen.engine.model import SATISFIED, Assessment
from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.commitfiles import commit_answers, commit_config
from mlkaizen.evidence.gitcommit import (
    MAX_PARSED,
    MAX_PARSED_BYTES,
    BlobCache,
    CommitTree,
    GitObjects,
)
from mlkaizen.evidence.gitopen import open_repository
from mlkaizen.evidence.limits import ScanLimits
from mlkaizen.history.model import CommitInfo, History, Point, PracticeChange, Skipped
from mlkaizen.history.timeline import LogProblems, first_parent, resolve, sample, window
from mlkaizen.textfmt import counted

MAX_POINTS = 400  # sampled commits assessed (the newest ones)
MAX_ASSESSED = 2_000  # commits assessed in all, samples and the bisection between them
MAX_REPLAY_BYTES = 32 * 1024 * 1024  # file contents read from git after the newest point
# contents parsed after the newest point (a large YAML file takes seconds a version to parse)
MAX_REPLAY_PARSED = 16 * 1024 * 1024


@dataclass
class Seen:
    """What one assessed commit showed (kept to pin changes down between samples)."""

    satisfied: frozenset[str]
    point: Point | None
    error: str | None = None
    assessment: Assessment | None = None


class Replayer:
    """Assess commits of one repository, sharing a blob cache between them."""

    def __init__(
        self,
        objects: GitObjects,
        top: Path,
        prefix: str,
        *,
        catalogue: Catalogue,
        limits: ScanLimits,
        today: dt.date | None,
        cache: BlobCache | None = None,
        config: Config | None = None,
    ) -> None:
        self.objects, self.top, self.prefix = objects, top, prefix
        self.config = config  # the user's config file for every commit, else each commit's
        self.catalogue, self.limits, self.today = catalogue, limits, today
        self.cache = cache if cache is not None else BlobCache()
        self.seen: dict[str, Seen] = {}
        self.unpinned: dict[str, int] = {}  # changes left at their sample, by the cap hit
        self._budget_from: int | None = None
        self._parsed_from = 0
        self._tmp = tempfile.TemporaryDirectory(prefix="mlkaizen-history-")

    def start_budget(self) -> None:
        """Count the contents read, and those parsed, from now on against
        :data:`MAX_REPLAY_BYTES` and :data:`MAX_REPLAY_PARSED`."""
        self._budget_from = self.cache.fetched
        self._parsed_from = self.cache.parsed_chars

    def spent(self) -> str | None:
        """The replay budget that is spent, named and explained, if one is."""
        if self._budget_from is None:
            return None
        if self.cache.fetched - self._budget_from >= MAX_REPLAY_BYTES:
            return (f"max_replay_bytes={MAX_REPLAY_BYTES:,} reached (file contents read from "
                    "git after the newest point)")
        if self.cache.parsed_chars - self._parsed_from >= MAX_REPLAY_PARSED:
            return (f"max_replay_parsed={MAX_REPLAY_PARSED:,} reached (file contents parsed "
                    "after the newest point)")
        return None

    def cap_reached(self) -> str | None:
        """The cap that stops more commits being assessed, named, if one is reached."""
        if len(self.seen) >= MAX_ASSESSED:
            return f"max_assessed={MAX_ASSESSED:,}"
        spent = self.spent()
        return spent.split(" ", 1)[0] if spent else None

    def close(self) -> None:
        self._tmp.cleanup()
        self.objects.close()

    def assess(self, commit: CommitInfo, *, full: bool = False) -> Seen:
        """What ``commit`` shows; with ``full``, its whole assessment too (to store or
        compare it). Other assessments are not kept: a long replay holds only its points."""
        seen = self.seen.get(commit.sha)
        if seen is not None and (seen.assessment is not None or not full or seen.point is None):
            return seen
        same = self.cache.results.get(commit.tree) if commit.tree else None
        if isinstance(same, Seen) and (same.assessment is not None or not full):
            point = None
            if same.point is not None:
                point = same.point.model_copy(
                    update={"commit": commit, "blobs_read": 0, "parses": 0}
                )
            seen = Seen(same.satisfied, point, same.error, same.assessment if full else None)
            self.seen[commit.sha] = seen
            return seen
        seen = self._assess(commit)
        if not full:
            seen.assessment = None
        if commit.tree:
            self.cache.results[commit.tree] = seen
        return seen

    def _assess(self, commit: CommitInfo) -> Seen:
        reads, parses = self.cache.blobs_read, self.cache.parses
        try:
            tree = CommitTree(
                self.objects,
                commit.sha,
                self.top,
                limits=self.limits,
                cache=self.cache,
                prefix=self.prefix,
            )
            config = self._config(tree)
            from mlkaizen.api import assess

            a: Assessment = assess(
                self.top / self.prefix if self.prefix else self.top,
                catalogue=self.catalogue,
                config=config,
                limits=self.limits,
                answers=self._answers(tree),
                today=self.today,
                tree_factory=lambda _root, _limits: tree,
            )
        except MLKaizenError as exc:
            seen = Seen(frozenset(), None, exc.message)
            self.seen[commit.sha] = seen
            return seen
        satisfied = frozenset(p.id for p in a.practices if p.state in SATISFIED)
        point = Point(
            commit=commit,
            stage=a.stage,
            stage_index=a.stage_index,
            levels={d.id: d.level for d in a.dimensions},
            satisfied=sorted(satisfied),
            respondents=list(a.respondents),
            answers_used=a.answers_used,
            files_listed=len(tree.files),
            files_read=tree.files_read,
            blobs_read=self.cache.blobs_read - reads,
            parses=self.cache.parses - parses,
        )
        seen = Seen(satisfied, point, assessment=a)
        self.seen[commit.sha] = seen
        return seen

    def _answers(self, tree: CommitTree) -> list[str | Path] | None:
        """The commit's own saved answers (:func:`commit_answers`)."""
        return commit_answers(tree, Path(self._tmp.name))

    def _config(self, tree: CommitTree) -> Config:
        """The commit's own config, or the file the user named (:func:`commit_config`)."""
        return commit_config(tree, Path(self._tmp.name), self.config)


def replay(
    path: str | Path,
    *,
    every: str | int = "month",
    since: int | None = None,
    until: int | None = None,
    revisions: list[str] | None = None,
    catalogue: Catalogue | str | None = None,
    limits: ScanLimits | None = None,
    exact: bool = True,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    keep: Callable[[CommitInfo, Assessment], None] | None = None,
    cache: BlobCache | None = None,
    config: Config | None = None,
) -> History:
    """Replay the history of the repository holding ``path`` (a folder of it is replayed on
    its own files). ``since``/``until`` are epoch seconds on the committer time. With
    ``exact``, each change seen between two samples is pinned to its commit by bisection on
    the first-parent line (a practice that came and went between two samples is not seen).
    ``keep`` is called with each point's full assessment (e.g. to store it); a ``cache``
    kept from an earlier replay makes a repeated one cheap; ``config`` (a file the user
    named) replaces each commit's own."""
    objects, top, prefix = open_repository(Path(path))
    cat = catalogue if isinstance(catalogue, Catalogue) else load_catalogue(catalogue)
    problems = LogProblems()
    line = first_parent(objects, problems=problems)
    if revisions:
        chosen = resolve(objects, revisions, problems)
        where = {c.sha: i for i, c in enumerate(line)}
        indices: list[int | None] = [where.get(r.sha) for r in chosen]
    else:
        line = window(line, since, until)
        picked = sample(line, every)
        chosen = [line[i] for i in picked]
        indices = list(picked)
    if not chosen:
        raise MLKaizenError("no commits in the requested range", str(path))
    history = History(
        subject=Path(path).resolve().name,
        catalogue={"id": cat.id, "version": cat.version},
        dimensions={d.id: d.name for d in cat.dimensions},
    )
    history.notes += problems.notes()
    if len(chosen) > MAX_POINTS:
        history.notes.append(
            f"limit max_points={MAX_POINTS} reached: only the newest {MAX_POINTS} of "
            f"{len(chosen):,} sampled commits are assessed (narrow with --since, or sample "
            "less often with --every)"
        )
        chosen, indices = chosen[-MAX_POINTS:], indices[-MAX_POINTS:]
    shallow = objects.command("rev-parse", "--is-shallow-repository").stdout.strip()
    if shallow == b"true":
        history.notes.append(
            "shallow clone: the history starts at the oldest commit fetched "
            "(fetch more with `git fetch --unshallow`)"
        )
    worker = Replayer(
        objects,
        top,
        prefix,
        catalogue=cat,
        limits=limits or ScanLimits(),
        today=today,
        cache=cache,
        config=config,
    )
    titles = {p.id: p.title for p in cat.practices}
    try:
        pairs = list(zip(chosen, indices, strict=True))
        assessed = _newest_first(worker, pairs, history, progress, full=keep is not None)
        previous: tuple[int | None, Seen] | None = None
        for commit, index, seen in assessed:
            if seen.point is None:
                history.skipped.append(Skipped(commit=commit.sha, reason=seen.error or ""))
                continue
            history.points.append(seen.point)
            if keep is not None and seen.assessment is not None:
                keep(commit, seen.assessment)
            if previous is not None:
                history.changes.extend(
                    _changes(
                        worker,
                        line,
                        previous,
                        (index, seen),
                        commit=commit,
                        titles=titles,
                        exact=exact,
                    )
                )
            previous = (index, seen)
    finally:
        worker.close()
    history.commits_assessed = len(worker.seen)
    for cap, count in sorted(worker.unpinned.items()):
        history.notes.append(
            f"limit {cap} reached: {counted(count, 'change')} not pinned to their commit (each is "
            "shown at the first commit assessed that has it)"
        )
    if worker.cache.evicted:
        history.notes.append(
            f"parse cache full ({MAX_PARSED_BYTES:,} bytes or {MAX_PARSED:,} parsed files): "
            f"{worker.cache.evicted} parsed files dropped and parsed again when needed"
        )
    return history


def _newest_first(
    worker: Replayer,
    pairs: list[tuple[CommitInfo, int | None]],
    history: History,
    progress: Callable[[str], None] | None,
    *,
    full: bool,
) -> list[tuple[CommitInfo, int | None, Seen]]:
    """Assess the sampled commits newest first, until the replay's budget of contents read
    after the newest point is spent; oldest first."""
    assessed: list[tuple[CommitInfo, int | None, Seen]] = []
    for commit, index in reversed(pairs):
        spent = worker.spent() if assessed else None
        if spent is not None:
            history.notes.append(
                f"limit {spent}: the {len(pairs) - len(assessed)} oldest "
                f"sampled commits are not assessed; the history starts at "
                f"{assessed[-1][0].short} (narrow with --since, or sample less often)"
            )
            break
        if progress is not None:
            progress(commit.sha[:7])
        assessed.append((commit, index, worker.assess(commit, full=full)))
        if len(assessed) == 1:
            worker.start_budget()
    return assessed[::-1]


def _changes(
    worker: Replayer,
    line: list[CommitInfo],
    before: tuple[int | None, Seen],
    after: tuple[int | None, Seen],
    *,
    commit: CommitInfo,
    titles: dict[str, str],
    exact: bool,
) -> list[PracticeChange]:
    (i, old), (j, new) = before, after
    out: list[PracticeChange] = []
    for pid in sorted(old.satisfied ^ new.satisfied, key=lambda p: (p not in new.satisfied, p)):
        gained = pid in new.satisfied
        at, pinned = commit, False
        if exact and i is not None and j is not None and j > i:
            at, pinned = _bisect(worker, line, i, j, pid=pid, gained=gained)
        out.append(
            PracticeChange(
                practice=pid,
                title=titles.get(pid, pid),
                change="gained" if gained else "lost",
                commit=at,
                exact=pinned or (i is not None and j is not None and j == i + 1),
            )
        )
    return out


def _bisect(
    worker: Replayer, line: list[CommitInfo], lo: int, hi: int, *, pid: str, gained: bool
) -> tuple[CommitInfo, bool]:
    """The first commit after ``lo`` whose state of ``pid`` is as at ``hi`` (commits that
    cannot be assessed are stepped over)."""
    while hi - lo > 1:
        cap = worker.cap_reached()
        if cap is not None:
            worker.unpinned[cap] = worker.unpinned.get(cap, 0) + 1
            return line[hi], False
        mid = (lo + hi) // 2
        seen = worker.assess(line[mid])
        if seen.point is None:
            return line[hi], False
        if (pid in seen.satisfied) == gained:
            hi = mid
        else:
            lo = mid
    return line[hi], True
