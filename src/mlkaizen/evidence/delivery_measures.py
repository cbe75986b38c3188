"""What each ML delivery metric is measured from, and from which source: the MLflow
registry when it showed a model (primary), else the git history (a fallback), each measure
with a one-line account of how it was taken. See ``docs/delivery-metrics.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlkaizen.evidence import delivery_events as ev
from mlkaizen.evidence.facts.live import HistoryFacts, MlflowFacts
from mlkaizen.textfmt import counted

REGISTRY, RUNS, GIT = "mlflow registry", "mlflow runs", "git history"
NO_FAILURE = "no failure in the window"


@dataclass(frozen=True)
class Measure:
    """What one metric is measured from: its observations, their source, whether that
    source is primary (not a fallback or a proxy), and how it was measured, in one line."""

    obs: list[ev.Obs]
    source: str
    primary: bool
    detail: str
    lower_bound: bool = False


def _days(w: ev.Window) -> str:
    return f"{w.days:,.2f}".rstrip("0").rstrip(".") + " days"


def releases(
    w: ev.Window, registry: MlflowFacts | None, history: HistoryFacts | None
) -> Measure | None:
    if registry is not None:
        rel = ev.registry_releases(registry, w)
        detail = f"{counted(len(rel), 'registry version')} created with status READY"
        return Measure(
            [ev.Obs(v.created) for v in rel], REGISTRY, True, f"{detail} in a window of {_days(w)}"
        )
    if history is not None:
        kind, events = ev.git_releases(history, w)
        inside = [e for e in events if w.holds(e.when)]
        what = (
            counted(len(inside), "tagged commit")
            if kind == "tags"
            else counted(len(inside), "commit") + " recording a retrained model"
        )
        return Measure(
            [ev.Obs(e.when) for e in inside],
            GIT,
            False,
            f"{what} in a window of {_days(w)} (no MLflow registry)",
        )
    return None


def lead_time(
    w: ev.Window, registry: MlflowFacts | None, history: HistoryFacts | None
) -> Measure | None:
    if registry is not None:
        lt = ev.registry_lead_times(registry, history, w)
        total = len(lt.linked) + len(lt.lower) + lt.no_run
        if lt.linked:
            return Measure(
                lt.linked,
                f"{REGISTRY} + {GIT}",
                True,
                "median from the first ML change to the version's creation; "
                f"{len(lt.linked)} of {counted(total, 'version')} linked to a commit",
            )
        if lt.lower:
            return Measure(
                lt.lower,
                f"{REGISTRY} + {RUNS}",
                False,
                "a lower bound: median from the run's start to the version's "
                f"creation; {len(lt.lower)} of {counted(total, 'version')}, "
                "none linked to a commit of the git history",
                lower_bound=True,
            )
        detail = (
            f"none of the {counted(total, 'version')} has its run among those read"
            if total
            else "no model version released in the window"
        )
        return Measure([], REGISTRY, True, detail)
    if history is not None:
        kind, events = ev.git_releases(history, w)
        obs = ev.git_lead_times(history, events, w)
        return Measure(
            obs,
            GIT,
            False,
            "median from the first ML change after the previous "
            f"release to the release; {counted(len(obs), 'release')} ({kind})",
        )
    return None


def failure_rate(
    w: ev.Window, registry: MlflowFacts | None, history: HistoryFacts | None
) -> Measure | None:
    changes = ev.git_changes(history, w) if history is not None else []
    reverted = sum(r is not None for _, r in changes)
    git_line = f"{reverted} of {counted(len(changes), 'ML change')} reverted"
    fails = ev.registry_failures(registry, w) if registry is not None else []
    if fails:
        n = sum(failed for _, failed in fails)
        detail = (
            f"{n} of {counted(len(fails), 'version')} set aside "
            "(archived while an older version serves)"
        )
        if history is not None:
            detail += f"; git history: {git_line}"
        return Measure([ev.Obs(v.created, float(f)) for v, f in fails], REGISTRY, True, detail)
    if history is not None:
        detail = f"{git_line} by a revert commit" if changes else "no ML change in the window"
        if registry is not None:
            detail += "; the registry released no version in the window"
        return Measure(
            [ev.Obs(c.committed, float(r is not None)) for c, r in changes], GIT, False, detail
        )
    if registry is not None:
        return Measure([], REGISTRY, True, "no model version released in the window")
    return None


def restore(
    w: ev.Window, registry: MlflowFacts | None, history: HistoryFacts | None
) -> Measure | None:
    fails = ev.registry_failures(registry, w) if registry is not None else []
    if fails or (registry is not None and history is None):
        set_aside = [v for v, failed in fails if failed]
        obs = [
            ev.Obs(v.created, ev.hours(v.updated - v.created))
            for v in set_aside
            if v.updated is not None
        ]
        detail = (
            f"median from a set-aside version's creation to its last update; "
            f"{len(obs)} of {counted(len(set_aside), 'failure')} with an update time"
            if set_aside
            else NO_FAILURE
        )
        return Measure(obs, REGISTRY, True, detail)
    if history is not None:
        failed = [(c, r) for c, r in ev.git_changes(history, w) if r is not None]
        obs = [ev.Obs(c.committed, ev.hours(r.committed - c.committed)) for c, r in failed]
        detail = (
            "median from an ML change to the commit that reverted it; "
            f"{counted(len(obs), 'revert')}"
            if failed
            else NO_FAILURE
        )
        return Measure(obs, GIT, False, detail)
    return None
