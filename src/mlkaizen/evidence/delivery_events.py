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
    Run,
)

# aliases that mean "this version serves" (MLflow 2.9+ registries use aliases, not stages)
SERVING_ALIASES = frozenset({"champion", "production", "prod"})
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
    before the run's commit, ``lower`` from the run's start only (a lower bound), and how
    many releases have no run among those read."""

    linked: list[Obs]
    lower: list[Obs]
    no_run: int


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


def _order(v: ModelVersion) -> tuple[dt.datetime, int, str]:
    """Versions of a model by creation, then by version number."""
    number = int(v.version) if v.version.isascii() and v.version.isdigit() else -1
    return (v.created, number, v.version)


# ------------------------------------------------------------------ MLflow registry


def registry_read(mlflow: MlflowFacts | None) -> bool:
    """The registry counts as a source when the server showed at least one model."""
    return mlflow is not None and bool(mlflow.models or mlflow.versions)


def _released(v: ModelVersion) -> bool:
    return v.status.upper() == "READY"


def registry_releases(mlflow: MlflowFacts, w: Window) -> list[ModelVersion]:
    """Versions created in the window whose registration succeeded (status READY)."""
    return sorted((v for v in mlflow.versions if _released(v) and w.holds(v.created)), key=_order)


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
    runs: dict[str, Run], history: HistoryFacts | None, v: ModelVersion
) -> dt.datetime | None:
    run = runs.get(v.run_id or "")
    if run is None or run.git_commit is None or history is None:
        return None
    return history.commit_times.get(run.git_commit)


def _first_change(
    commits: Iterable[Commit], after: dt.datetime | None, upto: dt.datetime
) -> dt.datetime:
    """The earliest ML change committed after ``after`` (if any bound) and at or before
    ``upto``; ``upto`` itself when there is none."""
    times = [
        c.committed
        for c in commits
        if c.ml_change and c.committed <= upto and (after is None or c.committed > after)
    ]
    return min([*times, upto])


def registry_lead_times(mlflow: MlflowFacts, history: HistoryFacts | None, w: Window) -> LeadTimes:
    """For each release: from the earliest ML change after the previous version's commit
    (or, that commit unknown, after the previous version's creation; no previous version:
    every ML change of the window) up to its run's commit, to its creation. Without the
    commit in the history but with the run: from the run's start (a lower bound)."""
    linked: list[Obs] = []
    lower: list[Obs] = []
    no_run = 0
    previous = _previous(mlflow)
    runs = {r.id: r for r in reversed(mlflow.runs)}  # once: as mlflow.run, the first of an id
    for v in registry_releases(mlflow, w):
        run = runs.get(v.run_id or "")
        if run is None:
            no_run += 1
            continue
        commit_time = _commit_time(runs, history, v)
        if commit_time is None or history is None:
            lower.append(Obs(v.created, hours(v.created - run.start)))
            continue
        prev = previous.get((v.model, v.version))
        after = None if prev is None else (_commit_time(runs, history, prev) or prev.created)
        start = _first_change(history.commits, after, commit_time)
        linked.append(Obs(v.created, hours(v.created - start)))
    return LeadTimes(linked, lower, no_run)


def _serving(mlflow: MlflowFacts) -> set[tuple[str, str]]:
    """(model, version) of every version that serves now: stage Production, or a serving
    alias on the version or on its registered model."""
    out = {
        (v.model, v.version)
        for v in mlflow.versions
        if (v.stage or "").lower() == "production"
        or any(a.lower() in SERVING_ALIASES for a in v.aliases)
    }
    for m in mlflow.models:
        out |= {(m.name, ver) for a, ver in m.aliases.items() if a.lower() in SERVING_ALIASES}
    return out


def registry_failures(mlflow: MlflowFacts, w: Window) -> list[tuple[ModelVersion, bool]]:
    """Each release with whether it was set aside: archived while an older version of the
    same model serves (it was rolled back to, or never replaced)."""
    by_key = {(v.model, v.version): v for v in mlflow.versions}
    oldest: dict[str, tuple[dt.datetime, int, str]] = {}  # model -> its oldest serving version
    for key in _serving(mlflow):
        if key in by_key:
            order = _order(by_key[key])
            oldest[key[0]] = min(order, oldest.get(key[0], order))
    out: list[tuple[ModelVersion, bool]] = []
    for v in registry_releases(mlflow, w):
        archived = (v.stage or "").lower() == "archived"
        out.append((v, archived and v.model in oldest and oldest[v.model] < _order(v)))
    return out


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
    commits``), every event of that kind (also before the window) by time. A commit with
    several tags is one release, at its first tag."""
    if any(w.holds(t.when) for t in history.tags):
        first: dict[str, dt.datetime] = {}
        for t in history.tags:
            first[t.sha] = min(first.get(t.sha, t.when), t.when)
        events = [GitRelease(w, history.commit_times.get(sha)) for sha, w in first.items()]
        return "tags", sorted(events, key=lambda e: e.when)
    events = [GitRelease(c.committed, c.committed) for c in history.commits if _retrain(c)]
    return "retraining commits", sorted(events, key=lambda e: e.when)


def git_lead_times(history: HistoryFacts, events: list[GitRelease], w: Window) -> list[Obs]:
    """For each release event of the window: from the earliest ML change after the previous
    release event (none: every ML change of the window) up to the commit it ships, to the
    event."""
    out: list[Obs] = []
    for i, e in enumerate(events):
        if not w.holds(e.when):
            continue
        after = events[i - 1].when if i else None
        upto = e.commit if e.commit is not None else e.when
        out.append(Obs(e.when, hours(e.when - _first_change(history.commits, after, upto))))
    return out


def _reverted_by(change: Commit, reverts: list[Commit]) -> Commit | None:
    """The first commit that reverts ``change`` (a full sha, or an abbreviation of 7+)."""
    found = [
        r
        for r in reverts
        if r.reverts is not None
        and (r.reverts == change.sha or (len(r.reverts) >= 7 and change.sha.startswith(r.reverts)))
    ]
    return min(found, key=lambda r: r.committed, default=None)


def git_changes(history: HistoryFacts, w: Window) -> list[tuple[Commit, Commit | None]]:
    """The ML changes of the window (reverts themselves left out), each with the commit
    that reverted it, if any."""
    reverts = [c for c in history.commits if c.reverts is not None]
    changes = sorted(
        (c for c in history.commits if c.ml_change and c.reverts is None and w.holds(c.committed)),
        key=lambda c: c.committed,
    )
    return [(c, _reverted_by(c, reverts)) for c in changes]
