"""The events the ML delivery metrics are measured from: model releases, their lead times,
and the failures among them with their time to restore, read from live facts.

Each function returns plain observations (a time and a value) that
:mod:`mlkaizen.evidence.delivery_metrics` aggregates over the window and over each period
of the trend. Two sources give them: the MLflow model registry (primary) and the git history
(the fallback). The rules are this project's interpretation, written down in
``docs/delivery-metrics.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from mlkaizen.evidence.facts.live import (
    ChangeKind,
    Commit,
    HistoryFacts,
    MlflowFacts,
    ModelVersion,
)

# which versions serve and which were rolled back: the rule shared with the live findings
from mlkaizen.evidence.facts.registry import rollbacks, staged_models
from mlkaizen.evidence.facts.registry import version_order as _order
from mlkaizen.evidence.facts.reverts import reverted_changes

_HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Obs:
    """One observation: when its event happened (it places the event in a period of the
    trend) and its measure (hours, or 1.0/0.0 for failed/not failed)."""

    when: dt.datetime
    value: float = 1.0


@dataclass(frozen=True)
class LeadTimes:
    """Lead-time observations of registry releases: ``linked`` measured from the ML changes
    before the run's commit, ``lower`` from the run's start only (a lower bound), how many
    releases have no run among those read, and how many linked releases brought no new ML
    change since the previous version (a retrain on the same code and data: no lead time)."""

    linked: list[Obs]
    lower: list[Obs]
    no_run: int
    unchanged: int = 0


def hours(span: dt.timedelta) -> float:
    """A span in hours; a negative one (clocks out of step) counts as 0."""
    return max(span / _HOUR, 0.0)


@dataclass(frozen=True)
class Window:
    """The window of the metrics; it includes both of its ends."""

    since: dt.datetime
    until: dt.datetime

    def holds(self, when: dt.datetime) -> bool:
        return self.since <= when <= self.until

    @property
    def days(self) -> float:
        return (self.until - self.since) / dt.timedelta(days=1)

    def covered(self, begins: dt.datetime | None) -> Window:
        """The part of the window a source covers when it begins inside it."""
        if begins is None or not self.since < begins < self.until:
            return self
        return Window(begins, self.until)


# ------------------------------------------------------------------ MLflow registry


def registry_read(mlflow: MlflowFacts | None) -> bool:
    """The registry counts as a source when the server showed at least one model."""
    return mlflow is not None and bool(mlflow.models or mlflow.versions)


def _released(v: ModelVersion) -> bool:
    return v.status.upper() == "READY"


def registry_releases(mlflow: MlflowFacts, w: Window) -> list[ModelVersion]:
    """Versions created in the window whose registration succeeded (status READY)."""
    return sorted((v for v in mlflow.versions if _released(v) and w.holds(v.created)), key=_order)


def registry_begins(mlflow: MlflowFacts) -> dt.datetime | None:
    """When the registry begins: its first registered model's creation; ``None`` when a
    model's creation is unknown or nothing is registered (then it covers the window)."""
    times = [m.created for m in mlflow.models]
    if not times or None in times:
        return None
    return min(t for t in times if t is not None)


def _previous(mlflow: MlflowFacts) -> dict[tuple[str, str], ModelVersion]:
    """(model, version) -> the released version of the same model created just before it
    (any time), for every released version that has one; made in one pass."""
    by_model: dict[str, list[ModelVersion]] = {}
    for v in mlflow.versions:
        if _released(v):
            by_model.setdefault(v.model, []).append(v)
    out: dict[tuple[str, str], ModelVersion] = {}
    for versions in by_model.values():
        versions.sort(key=_order)
        out.update({(v.model, v.version): p for p, v in pairwise(versions)})
    return out


def _commit_time(
    mlflow: MlflowFacts, history: HistoryFacts | None, v: ModelVersion
) -> dt.datetime | None:
    run = mlflow.run(v.run_id)
    if run is None or run.git_commit is None or history is None:
        return None
    return history.commit_times.get(run.git_commit)


def _first_change(
    commits: Iterable[Commit], after: dt.datetime | None, upto: dt.datetime
) -> dt.datetime | None:
    """The earliest ML change committed after ``after`` (if any bound) and at or before
    ``upto``; ``None`` when there is none (the release brought no new ML change)."""
    times = [
        c.committed
        for c in commits
        if c.ml_change and c.committed <= upto and (after is None or c.committed > after)
    ]
    return min(times, default=None)


def registry_lead_times(mlflow: MlflowFacts, history: HistoryFacts | None, w: Window) -> LeadTimes:
    """For each release: from the earliest ML change after the previous version's commit
    (or, that commit unknown, after the previous version's creation; no previous version:
    every ML change of the window) up to its run's commit, to its creation; no ML change in
    that range (a retrain on the same commit): no lead time. Without the commit in the
    history but with the run: from the run's start (a lower bound)."""
    linked: list[Obs] = []
    lower: list[Obs] = []
    no_run = unchanged = 0
    previous = _previous(mlflow)
    for v in registry_releases(mlflow, w):
        run = mlflow.run(v.run_id)
        if run is None:
            no_run += 1
            continue
        commit_time = _commit_time(mlflow, history, v)
        if commit_time is None or history is None:
            lower.append(Obs(v.created, hours(v.created - run.start)))
            continue
        prev = previous.get((v.model, v.version))
        after = None if prev is None else (_commit_time(mlflow, history, prev) or prev.created)
        start = _first_change(history.commits, after, commit_time)
        if start is None:
            unchanged += 1
        else:
            linked.append(Obs(v.created, hours(v.created - start)))
    return LeadTimes(linked, lower, no_run, unchanged)


@dataclass(frozen=True)
class Failures:
    """The registry's releases of the window read for rollbacks (those of models that use
    stages), each with the version it was rolled back for (``None``: not rolled back), and
    how many releases of models using aliases only could not be read."""

    read: list[tuple[ModelVersion, ModelVersion | None]]
    aliases_only: int


def registry_failures(mlflow: MlflowFacts, w: Window) -> Failures:
    """Each release with the older version it was rolled back for, by the shared rule of
    :mod:`mlkaizen.evidence.facts.registry`: archived while an older version of the same
    model serves that was promoted back after it existed. A challenger archived without
    ever serving is no failure; a model without stages shows no rollback at all."""
    read: list[tuple[ModelVersion, ModelVersion | None]] = []
    aliases_only = 0
    staged, back = staged_models(mlflow), rollbacks(mlflow)
    for v in registry_releases(mlflow, w):
        if v.model in staged:
            read.append((v, back.get((v.model, v.version))))
        else:
            aliases_only += 1
    return Failures(read, aliases_only)


# ------------------------------------------------------------------ git history


def _retrain(c: Commit) -> bool:
    """A commit that records a retrained model: metrics written, or a ``dvc.lock``."""
    return ChangeKind.METRICS in c.kinds or any(
        p == "dvc.lock" or p.endswith("/dvc.lock") for p in c.paths
    )


@dataclass(frozen=True)
class GitRelease:
    """A release event of the git history: when, and the time of the commit it ships."""

    when: dt.datetime
    commit: dt.datetime | None


def git_releases(history: HistoryFacts, w: Window) -> tuple[str, list[GitRelease]]:
    """Release events of the git history, and what they are (``tags`` or ``retraining
    commits``), every event of that kind read, by time (tags are read for the window
    only). A commit with several tags is one release, at its first tag."""
    if any(w.holds(t.when) for t in history.tags):
        first: dict[str, dt.datetime] = {}
        for t in history.tags:
            first[t.sha] = min(first.get(t.sha, t.when), t.when)
        events = [GitRelease(when, history.commit_times.get(sha)) for sha, when in first.items()]
        return "tags", sorted(events, key=lambda e: e.when)
    events = [GitRelease(c.committed, c.committed) for c in history.commits if _retrain(c)]
    return "retraining commits", sorted(events, key=lambda e: e.when)


@dataclass(frozen=True)
class GitLeadTimes:
    """Lead-time observations of git release events, and how many releases of the window
    brought no new ML change since the previous one (no lead time)."""

    obs: list[Obs]
    unchanged: int


def git_lead_times(
    history: HistoryFacts, kind: str, events: list[GitRelease], w: Window
) -> GitLeadTimes:
    """For each release event of the window: from the earliest ML change after the previous
    release event (none: every ML change of the window) up to the commit it ships, to the
    event. A retraining commit is a release, not an ML change of its own: with no other ML
    change in that range the release gives no lead time."""
    changes = history.commits
    if kind != "tags":
        changes = [c for c in history.commits if not _retrain(c)]
    out: list[Obs] = []
    unchanged = 0
    for i, e in enumerate(events):
        if not w.holds(e.when):
            continue
        after = events[i - 1].when if i else None
        start = _first_change(changes, after, e.commit if e.commit is not None else e.when)
        if start is None:
            unchanged += 1
        else:
            out.append(Obs(e.when, hours(e.when - start)))
    return GitLeadTimes(out, unchanged)


def git_changes(history: HistoryFacts, w: Window) -> list[tuple[Commit, Commit | None]]:
    """The ML changes of the window (reverts themselves left out), each with the first
    commit that reverted it, if any."""
    reverted = reverted_changes(history)
    changes = sorted(
        (c for c in history.commits if c.ml_change and c.reverts is None and w.holds(c.committed)),
        key=lambda c: c.committed,
    )
    return [(c, reverted[c.sha][0] if c.sha in reverted else None) for c in changes]
