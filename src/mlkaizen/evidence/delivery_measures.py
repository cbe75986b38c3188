"""What each ML delivery metric is measured from, and from which source: the MLflow
registry when it showed a model (primary), else the git history (a fallback), each measure
with a one-line account of how it was taken, the part of the window its source covers and
whether that source was read in full. See ``docs/delivery-metrics.md``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mlkaizen.evidence import delivery_events as ev
from mlkaizen.evidence.facts.live import Commit, HistoryFacts, LiveFacts, MlflowFacts
from mlkaizen.textfmt import counted

REGISTRY, RUNS, GIT = "mlflow registry", "mlflow runs", "git history"
NO_FAILURE = "no failure in the window"
NO_RELEASE = "no model version released in the window"
NO_REGISTRY_RELEASE = "the registry released no version in the window"
ALIASES_ONLY = (
    "the registry uses aliases only; MLflow keeps no history of alias moves, "
    "so a rollback cannot be seen"
)
ROLLED_BACK = "archived while an older version, promoted back after it, serves"


@dataclass(frozen=True)
class Measure:
    """What one metric is measured from: its observations, their source, whether that
    source is primary (not a fallback or a proxy), and how it was measured, in one line.
    ``begins`` is where its source begins inside the window (``None``: it covers the whole
    window); ``complete`` is False when that source's reading was cut short."""

    obs: list[ev.Obs]
    source: str
    primary: bool
    detail: str
    lower_bound: bool = False
    begins: dt.datetime | None = None
    complete: bool = True


@dataclass(frozen=True)
class Sources:
    """The sources of the metrics over the window: the registry only when it showed a
    model, the git history when read, and why the registry is no source when it is not."""

    window: ev.Window
    registry: MlflowFacts | None
    history: HistoryFacts | None
    no_registry: str

    @property
    def registry_window(self) -> ev.Window:
        begins = ev.registry_begins(self.registry) if self.registry is not None else None
        return self.window.covered(begins)

    @property
    def git_window(self) -> ev.Window:
        return self.window.covered(self.history.begins if self.history is not None else None)


def sources_of(facts: LiveFacts) -> Sources:
    """The sources read, and why the registry is not one: not read (no server, or it could
    not be reached or read in full) or a server that shows no registered model."""
    ml = facts.mlflow
    registry = ml if ev.registry_read(ml) else None
    reachable = ml is not None and bool(ml.experiments or ml.runs)
    if ml is not None and reachable and ml.complete:
        why = "the MLflow server shows no registered model"
    elif ml is not None and reachable:
        why = "MLflow registry not read in full: the reading was cut short"
    else:
        why = "MLflow registry not read"
    return Sources(ev.Window(facts.since, facts.until), registry, facts.history, why)


def _days(w: ev.Window) -> str:
    return f"{w.days:,.2f}".rstrip("0").rstrip(".") + " days"


def _span(whole: ev.Window, covered: ev.Window, source: str) -> str:
    if covered == whole:
        return f"in a window of {_days(whole)}"
    return f"in the last {_days(covered)} of a window of {_days(whole)}, since {source} begins"


def _begins(whole: ev.Window, covered: ev.Window) -> dt.datetime | None:
    return None if covered == whole else covered.since


def _registry(
    s: Sources,
    obs: list[ev.Obs],
    source: str,
    primary: bool,
    detail: str,
    *,
    lower_bound: bool = False,
) -> Measure:
    """A measure from the registry (with the git history when ``source`` names it too): the
    part of the window the registry covers, and whether every source of it was read in
    full."""
    assert s.registry is not None
    git_read_in_part = GIT in source and s.history is not None and not s.history.complete
    complete = s.registry.complete and not git_read_in_part
    begins = _begins(s.window, s.registry_window)
    return Measure(obs, source, primary, detail, lower_bound, begins, complete)


def _git(s: Sources, obs: list[ev.Obs], detail: str) -> Measure:
    assert s.history is not None
    begins = _begins(s.window, s.git_window)
    return Measure(obs, GIT, False, detail, False, begins, s.history.complete)


def releases(s: Sources) -> Measure | None:
    w = s.window
    if s.registry is not None:
        rel = ev.registry_releases(s.registry, w)
        detail = f"{counted(len(rel), 'registry version')} created with status READY"
        span = _span(w, s.registry_window, "the registry")
        return _registry(s, [ev.Obs(v.created) for v in rel], REGISTRY, True, f"{detail} {span}")
    if s.history is not None:
        kind, events = ev.git_releases(s.history, w)
        inside = [e for e in events if w.holds(e.when)]
        what = (
            counted(len(inside), "tagged commit")
            if kind == "tags"
            else counted(len(inside), "commit") + " recording a retrained model"
        )
        span = _span(w, s.git_window, "the git history")
        return _git(s, [ev.Obs(e.when) for e in inside], f"{what} {span} ({s.no_registry})")
    return None


def _unchanged(n: int) -> str:
    return f"; {counted(n, 'release')} brought no new ML change since the previous one" if n else ""


def lead_time(s: Sources) -> Measure | None:
    w, registry, history = s.window, s.registry, s.history
    if registry is not None:
        lt = ev.registry_lead_times(registry, history, w)
        total = len(lt.linked) + len(lt.lower) + lt.no_run + lt.unchanged
        unchanged = _unchanged(lt.unchanged)
        if lt.linked:
            return _registry(
                s,
                lt.linked,
                f"{REGISTRY} + {GIT}",
                True,
                "median from the first ML change to the version's creation; "
                f"{len(lt.linked)} of {counted(total, 'version')} linked to a commit with a new "
                f"ML change{unchanged}",
            )
        if lt.lower:
            return _registry(
                s,
                lt.lower,
                f"{REGISTRY} + {RUNS}",
                False,
                "a lower bound: median from the run's start to the version's "
                f"creation; {len(lt.lower)} of {counted(total, 'version')}, "
                f"none linked to a commit of the git history{unchanged}",
                lower_bound=True,
            )
        if lt.unchanged:
            detail = f"no version brought a new ML change{unchanged}"
            return _registry(s, [], f"{REGISTRY} + {GIT}", True, detail)
        if total == 1:
            detail = "the version has no run among those read"
        elif total:
            detail = f"none of the {total:,} versions has its run among those read"
        else:
            detail = NO_RELEASE
        return _registry(s, [], REGISTRY, True, detail)
    if history is not None:
        kind, events = ev.git_releases(history, w)
        glt = ev.git_lead_times(history, kind, events, w)
        return _git(
            s,
            glt.obs,
            "median from the first ML change after the previous release to the release; "
            f"{counted(len(glt.obs), 'release')} ({kind}){_unchanged(glt.unchanged)}",
        )
    return None


def _git_failures(s: Sources) -> list[tuple[Commit, Commit | None]]:
    return ev.git_changes(s.history, s.window) if s.history is not None else []


def failure_rate(s: Sources) -> Measure | None:
    changes = _git_failures(s)
    reverted = sum(r is not None for _, r in changes)
    git_line = f"{reverted} of {counted(len(changes), 'ML change')} reverted"
    fails = ev.registry_failures(s.registry, s.window) if s.registry is not None else None
    if fails is not None and fails.read:
        n = sum(back is not None for _, back in fails.read)
        detail = f"{n} of {counted(len(fails.read), 'version')} rolled back ({ROLLED_BACK})"
        if fails.aliases_only:
            detail += f"; {counted(fails.aliases_only, 'version')} of models using aliases only"
        if s.history is not None:
            detail += f"; git history: {git_line}"
        obs = [ev.Obs(v.created, float(back is not None)) for v, back in fails.read]
        return _registry(s, obs, REGISTRY, True, detail)
    aliases = fails is not None and fails.aliases_only > 0
    if s.history is not None:
        detail = f"{git_line} by a revert commit" if changes else "no ML change in the window"
        if s.registry is not None:
            detail += "; " + (ALIASES_ONLY if aliases else NO_REGISTRY_RELEASE)
        return _git(s, [ev.Obs(c.committed, float(r is not None)) for c, r in changes], detail)
    if s.registry is not None:
        return _registry(s, [], REGISTRY, True, ALIASES_ONLY if aliases else NO_RELEASE)
    return None


def restore(s: Sources) -> Measure | None:
    fails = ev.registry_failures(s.registry, s.window) if s.registry is not None else None
    if fails is not None and fails.read:
        back = [(v, b) for v, b in fails.read if b is not None]
        obs = [
            ev.Obs(v.created, ev.hours(b.updated - v.created))
            for v, b in back
            if b.updated is not None
        ]
        detail = (
            "median from a rolled-back version's creation to the older version's promotion "
            f"back (its last update); {counted(len(obs), 'rollback')}"
            if obs
            else NO_FAILURE
        )
        return _registry(s, obs, REGISTRY, True, detail)
    aliases = fails is not None and fails.aliases_only > 0
    if s.history is not None:
        failed = [(c, r) for c, r in _git_failures(s) if r is not None]
        obs = [ev.Obs(c.committed, ev.hours(r.committed - c.committed)) for c, r in failed]
        detail = (
            "median from an ML change to the commit that reverted it; "
            f"{counted(len(obs), 'revert')}"
            if failed
            else NO_FAILURE
        )
        return _git(s, obs, detail)
    if s.registry is not None:
        return _registry(s, [], REGISTRY, True, ALIASES_ONLY if aliases else NO_FAILURE)
    return None
