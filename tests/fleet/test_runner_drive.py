"""The controller driving real worker processes (the local pool): every job ends done or
failed with its reason, failures are retried up to the limit, a run stopped early keeps what
it stored and its resumption stores the rest once."""

from __future__ import annotations

import datetime as dt
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mlkaizen.fleet.manifest import Entry, Manifest
from mlkaizen.fleet.options import FleetOptions
from mlkaizen.fleet.runner import drive, start_run
from mlkaizen.store import open_store
from mlkaizen.store.db import Store
from mlkaizen.store.fleet import DONE, FAILED, PENDING, RunInfo, jobs, stop_run
from mlkaizen.store.tables import AssessmentRow, SubjectRow
from tests.conftest import write_tree

ML = {
    "train.py": "import mlflow\nmlflow.log_metric('auc', 0.9)\n",
    "requirements.txt": "mlflow==2.14\n",
}
MONO = {
    "churn/pyproject.toml": "[project]\nname = 'churn'\n",
    "churn/train.py": "import mlflow\nimport sklearn\nmlflow.log_metric('auc', 0.9)\n",
    "fraud/pyproject.toml": "[project]\nname = 'fraud'\n",
    "fraud/train.py": "import sklearn\nimport dvc.api\n",
    "fraud/dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n",
}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'fleet.db'}")
    yield s
    s.close()


def _entries(tmp_path: Path, n: int) -> list[Entry]:
    out = []
    for i in range(n):
        root = write_tree(tmp_path / f"repo{i}", ML)
        out.append(Entry(location=str(root), kind="path", line=i + 1))
    return out


def _options(tmp_path: Path, **kw: object) -> FleetOptions:
    return FleetOptions(cache=str(tmp_path / "cache"), retry_delay=0, **kw)  # type: ignore[arg-type]


def _stored(store: Store) -> list[str]:
    with store.session() as session:
        return sorted(
            key for key, in session.execute(
                select(SubjectRow.key).join(AssessmentRow,
                                            AssessmentRow.subject_id == SubjectRow.id)
            )
        )


def test_every_job_ends_done_or_failed_with_its_reason(store: Store, tmp_path: Path) -> None:
    entries = _entries(tmp_path, 3)
    mono = write_tree(tmp_path / "mono", MONO)
    entries += [Entry(location=str(mono), kind="path", line=4),
                Entry(location=str(tmp_path / "gone"), kind="path", line=5)]
    run_id = start_run(store, Manifest(entries=entries, problems=[]), "repos.txt",
                       _options(tmp_path, workers=2))
    seen: list[dict[str, int]] = []
    run = drive(store, run_id, progress=lambda r: seen.append(dict(r.counts)))
    assert run.counts == {PENDING: 0, "running": 0, DONE: 4, FAILED: 1}
    assert run.finished_at is not None and run.stopped is None and run.controller is None
    assert seen[0][PENDING] == 5 and seen[-1][DONE] == 4  # progress from start to end
    rows = jobs(store, run_id)
    assert [(j.status, j.attempts) for j in rows] == [(DONE, 1)] * 4 + [(FAILED, 1)]
    assert rows[4].error == f"{tmp_path / 'gone'}: no such folder"  # permanent: never retried
    assert [r["name"] for r in rows[3].results] == ["mono", "mono:churn", "mono:fraud"]
    assert _stored(store) == sorted(
        [str(e.key) for e in entries[:3]]
        + [str(mono.resolve()), f"{mono.resolve()}#churn", f"{mono.resolve()}#fraud"]
    )


def test_a_failing_job_is_retried_up_to_the_limit_then_failed(store: Store, tmp_path: Path
                                                              ) -> None:
    entries = _entries(tmp_path, 1)
    run_id = start_run(store, Manifest(entries=entries, problems=[]), "repos.txt",
                       _options(tmp_path, workers=1, retries=2, timeout=0.001))
    run = drive(store, run_id)
    (job,) = jobs(store, run_id)
    assert (job.status, job.attempts, job.error) == (
        FAILED, 3, "over its time limit of 0.001 s")
    assert run.counts[FAILED] == 1 and _stored(store) == []


def test_a_stopped_run_keeps_its_results_and_resumes_once(store: Store, tmp_path: Path) -> None:
    import mlkaizen
    from mlkaizen.store.fleet import StoredSubject, claim, complete

    entries = _entries(tmp_path, 6)
    run_id = start_run(store, Manifest(entries=entries, problems=[]), "repos.txt",
                       _options(tmp_path, workers=1))
    for job in jobs(store, run_id)[:2]:  # two jobs ended before the disk filled up
        claim(store, job.id, "w", lease=dt.timedelta(minutes=5))
        entry = entries[job.position]
        complete(store, job.id, [StoredSubject(entry.key, entry.name,
                                               mlkaizen.assess(entry.location))])

    def disk_full(run: RunInfo) -> None:  # as a worker says when its fetch finds it full
        stop_run(store, run_id, "the cache disk is full")

    run = drive(store, run_id, progress=disk_full)
    assert run.stopped == "the cache disk is full" and run.finished_at is None
    assert run.counts == {PENDING: 4, "running": 0, DONE: 2, FAILED: 0}  # none started since
    assert _stored(store) == sorted(e.key for e in entries[:2])
    run = drive(store, run_id, resume=True)
    assert run.stopped is None and run.finished_at is not None
    assert run.counts == {PENDING: 0, "running": 0, DONE: 6, FAILED: 0}
    assert _stored(store) == sorted(e.key for e in entries)  # each once
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(AssessmentRow)) == 6


def _children() -> list[int]:
    """This process's live child processes (the pool's workers among them)."""
    me = os.getpid()
    out = []
    for task in Path(f"/proc/{me}/task").iterdir():
        try:
            out += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def test_a_worker_killed_under_a_job_costs_an_attempt_not_the_job(store: Store,
                                                                  tmp_path: Path) -> None:
    entries = []
    for i in range(8):
        files = dict(ML)
        # code of its own (no parse cached from another repository or an earlier run): a
        # job takes a moment, so one can be caught running
        salt = f"{i}-{os.getpid()}-{tmp_path.name}"
        files.update({f"pkg/m{n}.py": f"import numpy\n\ndef f(x):\n    return x  # {salt}\n" * 60
                      for n in range(60)})
        entries.append(Entry(location=str(write_tree(tmp_path / f"r{i}", files)), kind="path"))
    run_id = start_run(store, Manifest(entries=entries, problems=[]), "repos.txt",
                       _options(tmp_path, workers=1))

    def kill(pids: list[int]) -> bool:
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        return True

    killed, run = _under_a_job(store, run_id, kill)
    assert killed, "no worker was killed"
    assert run.counts == {PENDING: 0, "running": 0, DONE: 8, FAILED: 0}
    rows = jobs(store, run_id)
    # the job under the killed worker, tried again (the worker may have just ended it)
    assert sorted(j.attempts for j in rows)[:-1] == [1] * 7
    assert rows and max(j.attempts for j in rows) in (1, 2)
    assert _stored(store) == sorted(e.key for e in entries)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_a_worker_stuck_past_its_lease_is_killed_and_its_job_retried(store: Store,
                                                                     tmp_path: Path) -> None:
    """A job stuck where its time limit cannot reach (here: its worker stopped with SIGSTOP,
    so not even the alarm runs) holds its worker past the lease: the controller kills the
    pool and the job is tried again, instead of the run waiting for ever."""
    entries = _entries(tmp_path, 3)
    run_id = start_run(store, Manifest(entries=entries, problems=[]), "repos.txt",
                       _options(tmp_path, workers=1, timeout=1))

    def stop(pids: list[int]) -> bool:
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        if any(j.status == "running" for j in jobs(store, run_id)):
            return True  # stopped under its job, which cannot end now
        for pid in pids:  # it ended its job just before: let it go, try again
            os.kill(pid, signal.SIGCONT)
        return False

    stopped, run = _under_a_job(store, run_id, stop)
    assert stopped, "no worker was stopped"
    assert run.counts == {PENDING: 0, "running": 0, DONE: 3, FAILED: 0}
    assert _stored(store) == sorted(e.key for e in entries)


def _under_a_job(store: Store, run_id: int, act: Callable[[list[int]], bool]
                 ) -> tuple[list[int], RunInfo]:
    """Drive the run while a thread watches the store: once a job is under way, ``act``
    on the pool's worker processes (until it says it acted). The workers acted on, and
    the run as it ended."""
    import threading

    acted: list[int] = []
    ended = threading.Event()

    def watch() -> None:
        while not ended.is_set():
            if any(j.status == "running" for j in jobs(store, run_id)):
                pids = [p for p in _children() if "spawn_main" in _cmdline(p)]
                if act(pids):
                    acted.extend(pids)
                    return
            ended.wait(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        run = drive(store, run_id)
    finally:
        ended.set()
        watcher.join()
    return acted, run
