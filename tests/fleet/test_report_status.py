"""`fleet status` and the report's judgements on runs built in the store: the rate since
a run started or resumed, a target met or not, a stage kept or lost, a stopped and a
finished run, and an unknown run id through the CLI."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlkaizen.api import assess
from mlkaizen.fleet.manifest import Entry
from mlkaizen.fleet.options import FleetOptions
from mlkaizen.fleet.report import _stage_cell, render
from mlkaizen.fleet.summary import build, status_lines
from mlkaizen.store import open_store
from mlkaizen.store.db import Store
from mlkaizen.store.fleet import (
    StoredSubject,
    claim,
    complete,
    create_run,
    finish_run,
    heartbeat,
    jobs,
    stop_run,
    take_controller,
)
from mlkaizen.store.records import save
from tests.conftest import write_tree
from tests.fleet.report_run import LEASE, at, attested

STALE = dt.timedelta(seconds=60)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlkaizen", *args], capture_output=True,
                          text=True, check=False)


def _run(tmp_path: Path, names: list[str], **fields: str) -> tuple[Store, int, list[int]]:
    store = open_store(f"sqlite:///{tmp_path / 'fleet.db'}")
    entries = [Entry(location=str(tmp_path / n), kind="path", **fields).model_dump(mode="json")
               for n in names]
    run_id = create_run(store, "repos.yaml", entries, executor="local",
                        options=FleetOptions(cache=str(tmp_path / "cache")).stored(),
                        problems=[], now=at(0))
    return store, run_id, [j.id for j in jobs(store, run_id)]


def _done(store: Store, job_id: int, start: float, end: float) -> None:
    assert claim(store, job_id, "w", lease=LEASE, now=at(start)) is not None
    assert complete(store, job_id, [], seconds=end - start, now=at(end))


@pytest.mark.parametrize("resumed", [True, False])
def test_the_rate_counts_from_the_start_or_the_last_resume(tmp_path: Path, resumed: bool
                                                           ) -> None:
    """A resumed run's rate counts from its resumption (when its new controller took it
    over); a run driven all along, from its start."""
    store, run_id, ids = _run(tmp_path, ["a", "b", "c", "d"])
    take_controller(store, run_id, "h:1", stale_after=STALE, now=at(5))
    _done(store, ids[0], 10, 20)
    who = "h:1"
    if resumed:  # killed, and resumed by another process
        who = "h:2"
        take_controller(store, run_id, who, stale_after=STALE, now=at(200))
    _done(store, ids[1], 200, 230)
    assert claim(store, ids[2], "w", lease=LEASE, now=at(235)) is not None
    heartbeat(store, run_id, who, now=at(255))
    s = build(store, run_id, now=at(260))
    since = 200 if resumed else 5
    assert s.since == at(since)
    ended = 1 if resumed else 2
    minutes = (260 - since) / 60
    assert s.rate == pytest.approx(ended / minutes)
    assert s.eta == at(260) + dt.timedelta(minutes=2 / (ended / minutes))
    if resumed:
        assert status_lines(s)[4] == (
            "  rate: 1.0 jobs/min since 2026-12-01 10:03:20 UTC · ETA 2026-12-01 10:06:20 UTC "
            "(in 2 min)"
        )


def test_no_rate_before_time_has_passed_and_no_eta_without_a_controller(
    tmp_path: Path,
) -> None:
    store, run_id, _ = _run(tmp_path, ["a"])
    fresh = build(store, run_id, now=at(0))
    assert (fresh.rate, fresh.eta, fresh.alive) == (None, None, False)
    assert status_lines(fresh) == [
        f"fleet run #{run_id} · repos.yaml · local · created 2026-12-01 10:00:00 UTC",
        "  1 job: 0 done · 0 failed · 0 running · 1 pending (0% ended)",
        "  attempts: 0",
        f"  not being driven: finish it with `mlkaizen fleet scan --resume {run_id}`",
    ]


def test_a_stopped_and_a_finished_run(tmp_path: Path) -> None:
    store, run_id, ids = _run(tmp_path, ["a", "b"])
    take_controller(store, run_id, "h:1", stale_after=STALE, now=at(5))
    _done(store, ids[0], 10, 20)
    stop_run(store, run_id, "the cache's disk is full")
    finish_run(store, run_id, stopped="the cache's disk is full", now=at(30))
    stopped = build(store, run_id, now=at(40))
    assert status_lines(stopped)[3:] == [
        "  stopped: the cache's disk is full",
        f"  finish it with `mlkaizen fleet scan --resume {run_id}`",
    ]
    assert json.loads(render(stopped, "json"))["run"]["stopped"] == "the cache's disk is full"
    take_controller(store, run_id, "h:2", stale_after=STALE, now=at(50))
    _done(store, ids[1], 60, 70)
    finish_run(store, run_id, now=at(71))
    done = build(store, run_id, now=at(80))
    assert status_lines(done)[1:] == [
        "  2 jobs: 2 done · 0 failed · 0 running · 0 pending (100% ended)",
        "  attempts: 2",
        "  finished 2026-12-01 10:01:11 UTC",
    ]
    report = json.loads(render(done, "json"))
    assert (report["run"]["finished_at"], report["run"]["stopped"]) == (
        "2026-12-01T10:01:11+00:00", None)


@pytest.mark.parametrize(
    ("target", "before_level", "below", "regressed", "notes", "cell"),
    [
        # at its target, as before
        ("Manual MLOps", 1, False, False, 0, "Manual MLOps (target Manual MLOps met)"),
        # one stage short
        ("Automated MLOps", 1, True, False, 0,
         "Manual MLOps (below its target Automated MLOps)"),
        # above its target, but down from Automated MLOps
        ("DataOps", 2, False, True, 0, "Manual MLOps (down from stage 4, target DataOps met)"),
        # a near miss of a stage name: no target compared
        ("manual mlops", None, None, False, 1, "Manual MLOps (target manual mlops)"),
    ],
)
def test_below_target_and_regressed(
    tmp_path: Path, target: str, before_level: int | None, below: bool | None,
    regressed: bool, notes: int, cell: str,
) -> None:
    write_tree(tmp_path / "a", {"train.py": "import pandas\n", ".mlkaizen.yaml": attested(1)})
    store, run_id, ids = _run(tmp_path, ["a"], target=target)
    entry = Entry(location=str(tmp_path / "a"), kind="path", target=target)
    if before_level is not None:
        write_tree(tmp_path / "before", {"train.py": "import pandas\n",
                                         ".mlkaizen.yaml": attested(before_level)})
        save(store, assess(tmp_path / "before"), key=entry.key, name="a",
             now=at(-3600))
    now = assess(tmp_path / "a")
    assert now.stage == "Manual MLOps"
    assert claim(store, ids[0], "w", lease=LEASE, now=at(1)) is not None
    assert complete(store, ids[0], [StoredSubject(entry.key, "a", now, target=target)],
                    seconds=1.0, now=at(2))
    s = build(store, run_id, now=at(3))
    repo = s.repositories[0]
    assert (repo.below_target, repo.regressed, len(s.notes)) == (below, regressed, notes)
    assert repo.previous_stage_index == ({1: 3, 2: 4}.get(before_level or 0))
    assert _stage_cell(repo, target=True) == cell  # the terminal report's stage column


def test_an_unknown_run_is_one_line_and_exit_2(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'fleet.db'}"
    _run(tmp_path, ["a"])
    for args in (["fleet", "status", "99"], ["fleet", "report", "99", "-f", "json"]):
        result = cli(*args, "--db", db)
        assert result.returncode == 2, result.stderr
        assert result.stdout == ""
        assert result.stderr == (
            "mlkaizen: error: no fleet run #99 in this store (see `mlkaizen fleet status`)\n"
        )


def test_the_cli_writes_each_format(tmp_path: Path) -> None:
    store, run_id, ids = _run(tmp_path, ["a", "b"])
    _done(store, ids[0], 10, 20)
    db = f"sqlite:///{tmp_path / 'fleet.db'}"
    out = tmp_path / "fleet.html"
    result = cli("fleet", "report", str(run_id), "-f", "html", "-o", str(out), "--db", db)
    assert result.returncode == 0, result.stderr
    assert out.read_text("utf-8").startswith("<!DOCTYPE html>")
    status = cli("fleet", "status", "--db", db, "-f", "json")  # the newest run
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["counts"] == {"pending": 1, "running": 0, "done": 1,
                                                   "failed": 0}


def test_a_few_queries_whatever_the_number_of_repositories(tmp_path: Path) -> None:
    from sqlalchemy import event

    counts = []
    for n in (2, 12):
        folder = tmp_path / str(n)
        folder.mkdir()
        store, run_id, ids = _run(folder, [f"r{i}" for i in range(n)])
        for job_id in ids:
            _done(store, job_id, 1, 2)
        seen: list[str] = []
        event.listen(store.engine, "before_cursor_execute",
                     lambda *args, seen=seen: seen.append(args[2]))
        summary = build(store, run_id, now=at(3))
        assert len(summary.repositories) == n
        counts.append(len(seen))
    assert counts[0] == counts[1] == 5  # the run, its counts, its jobs; two BEGINs


def test_a_catalogue_that_cannot_be_read_any_more(tmp_path: Path) -> None:
    """A run made with a catalogue file since removed: the stages its jobs stored, and a
    note saying why."""
    write_tree(tmp_path / "a", {"train.py": "import pandas\n"})
    store = open_store(f"sqlite:///{tmp_path / 'fleet.db'}")
    entry = Entry(location=str(tmp_path / "a"), kind="path")
    options = FleetOptions(cache=str(tmp_path / "cache"), catalogue=str(tmp_path / "gone.yaml"))
    run_id = create_run(store, "repos.txt", [entry.model_dump(mode="json")], executor="local",
                        options=options.stored(), problems=[], now=at(0))
    job_id = jobs(store, run_id)[0].id
    assert claim(store, job_id, "w", lease=LEASE, now=at(1)) is not None
    assert complete(store, job_id, [StoredSubject(entry.key, "a", assess(tmp_path / "a"))],
                    now=at(2))
    s = build(store, run_id, now=at(3))
    assert s.by_stage() == {"Ad hoc": 1}
    assert len(s.notes) == 1 and s.notes[0].startswith(
        f"the run's catalogue cannot be read ({tmp_path / 'gone.yaml'}: ")
