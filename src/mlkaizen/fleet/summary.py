"""What a fleet run found, read from the store as plain data for the reports and `status`.

Everything comes from three queries (the run, its jobs counted by status, then every job
with what it stored), whatever the number of repositories: a job's results carry each
subject's stage and the stage of the subject's assessment before it, so nothing is read
per repository."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from mlkaizen.errors import MLKaizenError
from mlkaizen.fleet.manifest import Entry
from mlkaizen.fleet.runner import STALE
from mlkaizen.report.escape import visible
from mlkaizen.store.db import Store
from mlkaizen.store.fleet import (
    DONE,
    FAILED,
    PENDING,
    RUNNING,
    JobInfo,
    RunInfo,
    jobs,
    run_info,
)
from mlkaizen.textfmt import counted


@dataclass(frozen=True)
class SubProject:
    key: str
    name: str
    stage: str
    stage_index: int


@dataclass(frozen=True)
class Repository:
    """One manifest entry and what its job did."""

    position: int  # the entry's place in the manifest (0-based)
    location: str
    ref: str | None
    subpath: str | None
    team: str | None
    target: str | None
    key: str
    name: str
    status: str
    attempts: int
    error: str | None
    seconds: float | None
    commit: str | None
    stage: str | None
    stage_index: int | None
    previous_stage_index: int | None
    regressed: bool
    below_target: bool | None  # None: no target, an unknown one, or no stage yet
    sub_projects: list[SubProject]
    not_before: dt.datetime | None  # a retry waits until then
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    worker: str | None


@dataclass
class FleetSummary:
    run: RunInfo
    repositories: list[Repository]
    stages: list[str]  # the catalogue's stage names, lowest first
    now: dt.datetime
    notes: list[str] = field(default_factory=list)  # unknown targets, an unreadable catalogue

    # -- derived figures ---------------------------------------------------------------

    @property
    def ended(self) -> int:
        return self.run.counts.get(DONE, 0) + self.run.counts.get(FAILED, 0)

    @property
    def attempts(self) -> int:
        return sum(r.attempts for r in self.repositories)

    @property
    def alive(self) -> bool:
        """Whether a controller drives the run: it gave a heartbeat within the time after
        which another may take the run over."""
        beat = self.run.heartbeat_at
        return (
            self.run.controller is not None
            and beat is not None
            and self.now - beat < STALE
            and self.run.finished_at is None
        )

    @property
    def since(self) -> dt.datetime:
        """When the run started, or was last resumed (when its controller took it over)."""
        return self.run.driven_since or self.run.created_at

    @property
    def rate(self) -> float | None:
        """Jobs ended per minute since the run started or resumed; ``None`` before any
        minute could be measured."""
        since = self.since
        minutes = (self.now - since).total_seconds() / 60
        if minutes <= 0:
            return None
        n = sum(
            1 for r in self.repositories
            if r.status in (DONE, FAILED) and r.finished_at is not None and r.finished_at >= since
        )
        return n / minutes

    @property
    def eta(self) -> dt.datetime | None:
        """When the run should end at the current rate (only while a controller drives it)."""
        rate = self.rate
        left = self.run.total - self.ended
        if not self.alive or not rate or left <= 0:
            return None
        return self.now + dt.timedelta(minutes=left / rate)

    def by_stage(self) -> dict[str, int]:
        """Repositories done, by stage, every stage of the catalogue in its order."""
        out = dict.fromkeys(self.stages, 0)
        for r in self.repositories:
            if r.status == DONE and r.stage is not None:
                out[r.stage] = out.get(r.stage, 0) + 1
        return out

    def slowest(self, n: int = 5) -> list[Repository]:
        done = [r for r in self.repositories if r.status == DONE and r.seconds is not None]
        return sorted(done, key=lambda r: (-(r.seconds or 0.0), r.position))[:n]

    def failures(self) -> list[Repository]:
        return [r for r in self.repositories if r.status == FAILED]

    def retrying(self) -> list[Repository]:
        """Pending jobs that failed an attempt and wait for their next one."""
        return [r for r in self.repositories if r.status == PENDING and r.attempts > 0]

    def status_json(self) -> dict[str, Any]:
        run, rate, eta = self.run, self.rate, self.eta
        return {
            "run": {
                "id": run.id,
                "source": run.source,
                "executor": run.executor,
                "created_at": _iso(run.created_at),
                "finished_at": _iso(run.finished_at),
                "stopped": run.stopped,
                "problems": list(run.problems),
            },
            "counts": {s: run.counts.get(s, 0) for s in (PENDING, RUNNING, DONE, FAILED)},
            "total": run.total,
            "ended": self.ended,
            "attempts": self.attempts,
            "since": _iso(self.since),
            "rate_per_minute": None if rate is None else round(rate, 3),
            "eta": _iso(eta),
            "controller": {
                "name": run.controller,
                "heartbeat_at": _iso(run.heartbeat_at),
                "alive": self.alive,
            },
            "running": [
                {"name": r.name, "worker": r.worker, "started_at": _iso(r.started_at),
                 "attempts": r.attempts}
                for r in self.repositories if r.status == RUNNING
            ],
            "failures": [
                {"name": r.name, "location": r.location, "error": r.error,
                 "attempts": r.attempts}
                for r in self.failures()
            ],
            "retrying": [
                {"name": r.name, "attempts": r.attempts, "not_before": _iso(r.not_before),
                 "error": r.error}
                for r in self.retrying()
            ],
            "notes": list(self.notes),
        }


def _iso(when: dt.datetime | None) -> str | None:
    return None if when is None else when.isoformat(timespec="seconds")


def _clock(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S UTC")


def _ago(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def _stage_names(run: RunInfo, found: list[JobInfo], notes: list[str]) -> list[str]:
    """The stage names of the run's catalogue, lowest first; when it cannot be loaded any
    more (a catalogue file since removed), the stages the jobs stored."""
    from mlkaizen.catalogues import load_catalogue

    try:
        cat = load_catalogue(run.options.get("catalogue"))
    except MLKaizenError as exc:
        notes.append(f"the run's catalogue cannot be read ({exc}): stages as stored")
        seen = {
            (res["stage_index"], res["stage"]) for job in found for res in job.results
            if isinstance(res.get("stage_index"), int) and isinstance(res.get("stage"), str)
        }
        return [name for _, name in sorted(seen)]
    return [s.name for s in sorted(cat.stages, key=lambda s: s.index)]


def _entry(job: JobInfo) -> Entry:
    try:
        return Entry.model_validate(job.entry)
    except ValidationError:
        # an entry stored by another version: its location as the name, nothing else
        location = str(job.entry.get("location", f"job {job.id}"))
        return Entry(location=location, kind="git")


def build(store: Store, run_id: int, now: dt.datetime | None = None) -> FleetSummary:
    """The run ``run_id`` and every job of it; an unknown run is a one-line error."""
    run = run_info(store, run_id)
    found = jobs(store, run_id)
    notes: list[str] = []
    stages = _stage_names(run, found, notes)
    index = {name: n for n, name in enumerate(stages, start=1)}
    unknown: dict[str, list[str]] = {}
    repos: list[Repository] = []
    for job in found:
        entry = _entry(job)
        own = next((r for r in job.results if not r.get("parent")), None)
        parts = [r for r in job.results if r.get("parent")]
        stage_index = own.get("stage_index") if own else None
        previous = own.get("previous_stage_index") if own else None
        target_index = index.get(entry.target) if entry.target else None
        if entry.target and target_index is None:
            unknown.setdefault(entry.target, []).append(entry.name)
        repos.append(
            Repository(
                position=job.position,
                location=entry.location,
                ref=entry.ref,
                subpath=entry.subpath,
                team=entry.team,
                target=entry.target,
                key=str(own["key"]) if own else entry.key,
                name=str(own["name"]) if own else entry.name,
                status=job.status,
                attempts=job.attempts,
                error=job.error if job.status != DONE else None,
                seconds=job.seconds if job.status == DONE else None,
                commit=job.commit,
                stage=own.get("stage") if own else None,
                stage_index=stage_index,
                previous_stage_index=previous,
                regressed=(
                    stage_index is not None and previous is not None and stage_index < previous
                ),
                below_target=(
                    None if target_index is None or stage_index is None
                    else stage_index < target_index
                ),
                sub_projects=[
                    SubProject(str(p["key"]), str(p["name"]), str(p["stage"]),
                               int(p["stage_index"]))
                    for p in parts
                ],
                not_before=job.not_before,
                started_at=job.started_at,
                finished_at=job.finished_at,
                worker=job.worker,
            )
        )
    for target, names in unknown.items():
        notes.append(
            f"target {target!r} is not a stage of the catalogue ({', '.join(stages)}): "
            f"no target compared for {', '.join(names)}"
        )
    return FleetSummary(run, repos, stages, now or dt.datetime.now(dt.UTC), notes)


def failure_lines(summary: FleetSummary, indent: str) -> list[str]:
    """``failed (2):`` and a line a failed repository (its reason and attempts), under
    ``indent``; nothing when none failed."""
    failures = summary.failures()
    if not failures:
        return []
    return [f"{indent}failed ({len(failures)}):"] + [
        f"{indent}  {visible(r.name)}: {visible(r.error or 'no reason recorded')} "
        f"({counted(r.attempts, 'attempt')})"
        for r in failures
    ]


def status_lines(summary: FleetSummary) -> list[str]:
    """``fleet status``: how far the run is, whether it is being driven, what failed and
    what waits for a retry. Every value from a manifest or a repository made visible."""
    s, run = summary, summary.run
    counts = run.counts
    out = [
        f"fleet run #{run.id} · {visible(run.source)} · {run.executor} · "
        f"created {_clock(run.created_at)}",
    ]
    share = f" ({s.ended * 100 // run.total}% ended)" if run.total else ""
    out.append(
        f"  {counted(run.total, 'job')}: {counts.get(DONE, 0)} done · "
        f"{counts.get(FAILED, 0)} failed · {counts.get(RUNNING, 0)} running · "
        f"{counts.get(PENDING, 0)} pending{share}"
    )
    out.append(f"  attempts: {s.attempts}")
    if run.finished_at is not None:
        out.append(f"  finished {_clock(run.finished_at)}")
    elif run.stopped is not None:
        out.append(f"  stopped: {visible(run.stopped)}")
        out.append(f"  finish it with `mlkaizen fleet scan --resume {run.id}`")
    elif s.alive:
        assert run.heartbeat_at is not None and run.controller is not None
        rate = s.rate
        line = (f"  driven by {visible(run.controller)} (last seen "
                f"{_ago((s.now - run.heartbeat_at).total_seconds())} ago)")
        out.append(line)
        if rate is not None:
            eta = s.eta
            out.append(
                f"  rate: {rate:.1f} jobs/min since {_clock(s.since)}"
                + (f" · ETA {_clock(eta)} (in {_ago((eta - s.now).total_seconds())})"
                   if eta is not None else "")
            )
    else:
        seen = (
            f" (its controller was last seen {_ago((s.now - run.heartbeat_at).total_seconds())}"
            " ago)" if run.heartbeat_at is not None else ""
        )
        out.append(f"  not being driven{seen}: finish it with "
                   f"`mlkaizen fleet scan --resume {run.id}`")
    out += failure_lines(s, "")
    retrying = s.retrying()
    if retrying:
        out.append(f"retries waiting ({len(retrying)}):")
        for r in retrying:
            when = (f"from {_clock(r.not_before)}" if r.not_before is not None
                    else "now")
            out.append(f"  {visible(r.name)}: attempt {r.attempts + 1} {when}; last error: "
                       f"{visible(r.error or 'none recorded')}")
    if run.problems:
        out.append(f"manifest problems ({len(run.problems)}):")
        out += [f"  {visible(p)}" for p in run.problems]
    if s.notes:
        out += [f"note: {visible(n)}" for n in s.notes]
    return out
