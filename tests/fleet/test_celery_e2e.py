"""The Celery path end to end: a real Redis, real `mlkaizen worker` processes, the real
command line as the controller; each repository stored exactly once, whatever is killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mlkaizen.fleet.manifest import Entry, Manifest
from mlkaizen.fleet.options import FleetOptions
from mlkaizen.store import open_store
from mlkaizen.store.db import Store
from mlkaizen.store.fleet import DONE, RUNNING, JobInfo, jobs, latest_run
from mlkaizen.store.tables import AssessmentRow, SubjectRow
from tests.fleet.celery_support import Workers, ml_repo, redis_url


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from redis_url(tmp_path_factory.mktemp("celery-broker"))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The shared store: a SQLite file (workers on this host), and PostgreSQL (workers
    anywhere) when CI's server is there."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'fleet.db'}"
        open_store(url).close()
        yield url
        return
    from tests.store.conftest import _pg_database

    for url in _pg_database():
        open_store(url).close()
        yield url


@pytest.fixture
def workers(broker: str, store_url: str, tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(broker, store_url, tmp_path)
    yield pool
    pool.stop()


def _manifest_reader_ready() -> bool:
    """Whether `fleet scan MANIFEST` can read a manifest in this tree (its reader is a part
    of its own); else the run is made here, from the same entries, and driven by the
    command line through `--resume`."""
    from mlkaizen.fleet.manifest import read_manifest

    try:
        read_manifest("probe.txt", "/probe\n")
    except NotImplementedError:
        return False
    return True


def _scan_command(pool: Workers, repos: list[Path], *, timeout: float = 600,
                  workers: int = 1) -> tuple[list[str], int | None]:
    """The `fleet scan` command that starts a Celery run over ``repos`` (and the run's id
    when it had to be made beforehand)."""
    base = [sys.executable, "-m", "mlkaizen", "fleet", "scan", "-q", "--db", pool.store_url]
    if _manifest_reader_ready():
        manifest = pool.folder / "repos.txt"
        manifest.write_text("".join(f"{r}\n" for r in repos), encoding="utf-8")
        return [*base, str(manifest), "--executor", "celery", "--broker", pool.broker,
                "--workers", str(workers), "--timeout", str(timeout)], None
    from mlkaizen.fleet.runner import start_run

    store = open_store(pool.store_url)
    found = Manifest(entries=[Entry(location=str(r), kind="path", line=n + 1)
                              for n, r in enumerate(repos)], problems=[])
    options = FleetOptions(executor="celery", broker=pool.broker, workers=workers,
                           timeout=timeout)
    run_id = start_run(store, found, "repos.txt", options)
    store.close()
    return [*base, "--resume", str(run_id)], run_id


def _finished(proc: subprocess.CompletedProcess[str]) -> None:
    """The controller drove the run to its end. Until the end-of-run summary is in this
    tree (a part of its own), its stub is the one failure allowed, after the run ended."""
    if proc.returncode == 3 and "NotImplementedError" in proc.stderr:
        return
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "error" not in proc.stderr


def _once_each(store: Store, run_id: int, repos: list[Path]) -> list[JobInfo]:
    """Every job done, and one stored assessment per repository, none twice."""
    done = jobs(store, run_id)
    assert [(j.entry["location"], j.status) for j in done] == [(str(r), DONE) for r in repos]
    with store.session() as session:
        counts = dict(session.execute(
            select(SubjectRow.key, func.count(AssessmentRow.id))
            .join(AssessmentRow, AssessmentRow.subject_id == SubjectRow.id)
            .group_by(SubjectRow.key)
        ).all())
    assert counts == {str(r.resolve()): 1 for r in repos}
    assert [len(j.results) for j in done] == [1] * len(repos)
    _reported_once_each(store.url, run_id, repos)
    return done


def _reported_once_each(store_url: str, run_id: int, repos: list[Path]) -> None:
    """`fleet report RUN -f json` says the same: one entry per repository, each done with
    its stage (until the report is in this tree, its stub is let through)."""
    proc = subprocess.run(
        [sys.executable, "-m", "mlkaizen", "fleet", "report", str(run_id), "-f", "json",
         "--db", store_url],
        capture_output=True, text=True, check=False,
    )
    if proc.returncode == 3 and "NotImplementedError" in proc.stderr:
        return
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert [(r["location"], r["status"]) for r in report["repositories"]] == [
        (str(r), DONE) for r in repos
    ]
    assert all(r["stage"] for r in report["repositories"])
    assert report["failures"] == []


def _run_id(store: Store, made: int | None) -> int:
    run_id = made if made is not None else latest_run(store)
    assert run_id is not None
    return run_id


def test_two_workers_store_each_repository_exactly_once(workers: Workers, tmp_path: Path
                                                        ) -> None:
    repos = [ml_repo(tmp_path / f"repo{n}", extra=20) for n in range(6)]
    workers.start("alpha")
    workers.start("beta")
    command, made = _scan_command(workers, repos, workers=1)
    proc = subprocess.run(command, env=workers.env, capture_output=True, text=True,
                          check=False)
    _finished(proc)
    store = open_store(workers.store_url)
    done = _once_each(store, _run_id(store, made), repos)
    # both workers took jobs (a job names its worker: node@host:pid)
    assert {(j.worker or "").split("@")[0] for j in done} == {"alpha", "beta"}
    assert [j.attempts for j in done] == [1] * len(repos)
    assert workers.stop() == {"alpha": 0, "beta": 0}  # Ctrl-C: a clean stop


def _poll(store: Store, run_id: int, until: str) -> list[JobInfo]:
    """The run's jobs as soon as ``until`` holds (polled: the workers set the pace)."""
    while True:
        found = jobs(store, run_id)
        statuses = [j.status for j in found]
        if statuses.count(DONE) == len(found):
            raise AssertionError(f"the run ended before {until!r} was seen")
        if until == "some done" and DONE in statuses and statuses.count(DONE) < len(found) - 2:
            return found
        if until == "one running" and RUNNING in statuses:
            return found
        time.sleep(0.02)


def test_controller_killed_midway_then_resumed_stores_each_repository_once(
    workers: Workers, tmp_path: Path
) -> None:
    repos = [ml_repo(tmp_path / f"repo{n}", extra=60) for n in range(10)]
    workers.start("alpha")
    workers.start("beta")
    command, made = _scan_command(workers, repos, workers=1)
    controller = subprocess.Popen(command, env=workers.env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
    store = open_store(workers.store_url)
    while made is None and (made := latest_run(store)) is None:
        time.sleep(0.02)
    at_kill = _poll(store, made, "some done")
    os.kill(controller.pid, signal.SIGKILL)
    assert controller.wait() == -signal.SIGKILL
    assert [j.status for j in at_kill].count(DONE) < len(repos)
    resumed = subprocess.run(
        [sys.executable, "-m", "mlkaizen", "fleet", "scan", "-q", "--db", workers.store_url,
         "--resume", str(made), "--executor", "celery"],
        env=workers.env, capture_output=True, text=True, check=False,
    )
    _finished(resumed)
    _once_each(store, made, repos)


def test_worker_killed_mid_job_the_job_is_taken_back_and_stored_once(
    workers: Workers, tmp_path: Path
) -> None:
    # the first repository is the slowest: the only worker is killed while it runs it
    repos = [ml_repo(tmp_path / "big", extra=600)]
    repos += [ml_repo(tmp_path / f"repo{n}") for n in range(3)]
    workers.start("doomed")
    # a short time limit makes a short lease (the time limit plus as much again)
    command, made = _scan_command(workers, repos, workers=1, timeout=4)
    controller = subprocess.Popen(command, env=workers.env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
    store = open_store(workers.store_url)
    while made is None and (made := latest_run(store)) is None:
        time.sleep(0.02)
    running = _poll(store, made, "one running")
    workers.kill("doomed")
    victim = next(j for j in running if j.status == RUNNING)
    assert victim.entry["location"] == str(repos[0])
    workers.start("rescuer")
    out, err = controller.communicate()
    _finished(subprocess.CompletedProcess(command, controller.returncode, out, err))
    done = _once_each(store, made, repos)
    first, *rest = done
    assert (first.attempts, (first.worker or "").split("@")[0]) == (2, "rescuer")
    assert first.error is None
    assert all((j.worker or "").startswith("rescuer@") for j in rest)
