"""`fleet scan --resume` of a run that has already finished leaves the run as it was."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from mlkaizen.fleet.manifest import Entry, Manifest
from mlkaizen.fleet.options import FleetOptions
from mlkaizen.fleet.runner import start_run
from mlkaizen.store import open_store
from mlkaizen.store.fleet import FAILED, claim, fail, finish_run, jobs, run_info

ENDED = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def _ended_run(tmp_path: Path, db: str) -> int:
    store = open_store(db)
    entries = [Entry(location=str(tmp_path / "missing"), kind="path")]
    run_id = start_run(store, Manifest(entries=entries, problems=[]), "repos.txt",
                       FleetOptions(workers=1, cache=str(tmp_path / "cache")))
    (job,) = jobs(store, run_id)
    claim(store, job.id, "w", lease=dt.timedelta(minutes=5))
    assert fail(store, job.id, "w", "no such folder", retry_at=None) == FAILED
    finish_run(store, run_id, now=ENDED)
    store.close()
    return run_id


def _scan(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlkaizen", "fleet", "scan", *args],
                          capture_output=True, text=True, check=False)


def test_resuming_a_finished_run_keeps_its_end_and_says_so(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'fleet.db'}"
    run_id = _ended_run(tmp_path, db)
    done = _scan("--resume", str(run_id), "--db", db)
    assert done.returncode == 0, done.stderr
    assert f"mlkaizen: fleet run #{run_id} has already finished" in done.stderr.splitlines()
    assert f"fleet run #{run_id}: 0 done · 1 failed · 0 running · 0 pending" \
        in done.stderr.splitlines()
    run = run_info(open_store(db), run_id)
    assert (run.finished_at, run.controller, run.driven_since) == (ENDED, None, None)


def test_resuming_a_stopped_run_still_drives_it(tmp_path: Path) -> None:
    """The near miss: a run stopped before its end (no finish time) is driven again."""
    db = f"sqlite:///{tmp_path / 'fleet.db'}"
    store = open_store(db)
    entries = [Entry(location=str(tmp_path / "missing"), kind="path")]
    run_id = start_run(store, Manifest(entries=entries, problems=[]), "repos.txt",
                       FleetOptions(workers=1, cache=str(tmp_path / "cache")))
    finish_run(store, run_id, stopped="the cache disk is full")
    done = _scan("--resume", str(run_id), "-q", "--db", db)
    assert done.returncode == 0, done.stderr
    assert "has already finished" not in done.stderr
    run = run_info(store, run_id)
    assert run.stopped is None and run.finished_at is not None
    assert run.counts == {"pending": 0, "running": 0, "done": 0, FAILED: 1}


def test_run_options_given_with_resume_are_said_to_be_ignored(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'fleet.db'}"
    run_id = _ended_run(tmp_path, db)
    told = _scan("--resume", str(run_id), "-w", "8", "--timeout", "5", "--db", db)
    assert told.returncode == 0, told.stderr
    assert told.stderr.splitlines()[0] == (
        f"mlkaizen: --workers, --timeout ignored: run #{run_id} keeps the options it started "
        "with (see `mlkaizen fleet status`)")
    quiet = _scan("--resume", str(run_id), "--db", db)  # the near miss: none given
    assert quiet.returncode == 0, quiet.stderr
    assert "ignored" not in quiet.stderr
