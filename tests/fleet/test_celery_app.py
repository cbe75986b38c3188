"""The Celery application, executor and tasks, against a real Redis and real workers: the
settings every worker shares, a broker that cannot be reached, a duplicated task that
stores nothing twice, a lost task seen through the store, and a run driven by a worker."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mlkaizen.fleet.manifest import Entry, Manifest
from mlkaizen.fleet.options import FleetOptions
from mlkaizen.fleet.runner import start_run
from mlkaizen.store import open_store
from mlkaizen.store.db import Store
from mlkaizen.store.fleet import (
    DONE,
    PENDING,
    claim,
    jobs,
    requeue_running,
    run_info,
)
from mlkaizen.store.tables import AssessmentRow
from tests.fleet.celery_support import Workers, ml_repo, redis_url


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from redis_url(tmp_path_factory.mktemp("celery-broker"))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'fleet.db'}")
    yield opened
    opened.close()


@pytest.fixture
def workers(broker: str, store: Store, tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(broker, store.url, tmp_path)
    yield pool
    pool.stop()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(store: Store, repos: list[Path], **options: object) -> int:
    found = Manifest(entries=[Entry(location=str(r), kind="path") for r in repos], problems=[])
    return start_run(store, found, "repos.txt", FleetOptions.model_validate(options))


def _assessments(store: Store) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count(AssessmentRow.id))) or 0)


def test_workers_and_senders_share_json_only_late_acknowledged_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mlkaizen.fleet.celery_app import app, broker_url, controller_app

    conf = app.conf
    assert (conf.task_serializer, conf.result_serializer) == ("json", "json")
    assert (list(conf.accept_content), list(conf.result_accept_content)) == (["json"], ["json"])
    assert (conf.task_acks_late, conf.task_reject_on_worker_lost) == (True, True)
    assert conf.worker_prefetch_multiplier == 1
    # the broker: the option, else MLKAIZEN_BROKER, else Redis on this host
    monkeypatch.delenv("MLKAIZEN_BROKER", raising=False)
    monkeypatch.delenv("MLKAIZEN_QUEUE", raising=False)
    assert broker_url(None) == "redis://localhost:6379/0"
    monkeypatch.setenv("MLKAIZEN_BROKER", "redis://broker.internal:6380/2")
    assert broker_url(None) == "redis://broker.internal:6380/2"
    assert broker_url("redis://other:6379/1") == "redis://other:6379/1"
    sender = controller_app("redis://other:6379/1")
    assert (sender.conf.broker_url, sender.conf.result_backend) == (
        "redis://other:6379/1", "redis://other:6379/1")
    assert sender.conf.task_default_queue == "mlkaizen"
    assert list(sender.conf.accept_content) == ["json"]
    # near miss: a broker that is not Redis keeps no results there
    assert controller_app("amqp://guest@rabbit//").conf.result_backend is None


def test_an_unreachable_broker_is_one_line_and_no_run_is_made(tmp_path: Path) -> None:
    db = tmp_path / "fleet.db"
    manifest = tmp_path / "repos.txt"
    manifest.write_text(f"{ml_repo(tmp_path / 'repo')}\n", encoding="utf-8")
    url = f"redis://user:s3cret@127.0.0.1:{_closed_port()}/0"
    scan = [sys.executable, "-m", "mlkaizen", "fleet", "scan", str(manifest), "--executor",
            "celery", "--db", f"sqlite:///{db}"]
    refused = subprocess.run([*scan, "--broker", url], capture_output=True, text=True,
                             check=False)
    assert (refused.returncode, refused.stderr) == (2, (
        "mlkaizen: error: --broker: a URL with a password would be stored with the run; give "
        "it in MLKAIZEN_BROKER instead (read from the environment, never stored)\n"))
    proc = subprocess.run(scan, capture_output=True, text=True, check=False,
                          env={**os.environ, "MLKAIZEN_BROKER": url})
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("mlkaizen: error: cannot reach the Celery broker at "
                               "redis://user:**@127.0.0.1:")
    assert "s3cret" not in proc.stderr and "Traceback" not in proc.stderr
    assert not db.exists()  # nothing queued, no run left behind
    # the worker says the same, and starts nothing
    proc = subprocess.run([sys.executable, "-m", "mlkaizen", "worker", "--broker", url],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert proc.stderr.startswith("mlkaizen: error: cannot reach the Celery broker at ")
    assert len(proc.stderr.splitlines()) == 1


def test_help_and_assess_never_import_celery(tmp_path: Path) -> None:
    repo = ml_repo(tmp_path / "repo")
    probe = (
        "import sys\nfrom mlkaizen.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print('loaded:', sorted(m for m in ('celery', 'kombu', 'redis') if m in sys.modules))"
    )
    for args in (["--help"], ["worker", "--help"], ["fleet", "scan", "--help"],
                 ["assess", str(repo), "-q"]):
        out = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True,
                             text=True, check=False).stdout
        assert out.splitlines()[-1] == "loaded: []", args
    helped = subprocess.run([sys.executable, "-m", "mlkaizen", "worker", "--help"],
                            capture_output=True, text=True, check=True).stdout
    for option in ("--broker", "--concurrency", "--queue", "--beat", "--loglevel", "--db"):
        assert option in helped
    flat = " ".join(helped.split())
    assert "worker must reach: PostgreSQL, or a SQLite file on this same host" in flat


def test_a_duplicated_task_stores_the_job_once(workers: Workers, store: Store,
                                               tmp_path: Path) -> None:
    from mlkaizen.fleet.celery_app import JOB_TASK, controller_app

    run_id = _run(store, [ml_repo(tmp_path / "repo", extra=30)], executor="celery")
    (job,) = jobs(store, run_id)
    options = FleetOptions.model_validate(run_info(store, run_id).options).stored()
    workers.start("twin", concurrency=2)
    sender = controller_app(workers.broker)
    sender.conf.task_default_queue = workers.queue
    # the same job sent three times at once (a redelivery, a resumed controller...)
    sent = [sender.send_task(JOB_TASK, args=[store.url, job.id, options]) for _ in range(3)]
    outcomes = sorted(task.get(timeout=120) for task in sent)
    # then once more after it is done
    late = sender.send_task(JOB_TASK, args=[store.url, job.id, options]).get(timeout=120)
    sender.close()
    assert (outcomes, late) == (["done", "skipped", "skipped"], "skipped")
    (done,) = jobs(store, run_id)
    assert (done.status, done.attempts, len(done.results)) == (DONE, 1, 1)
    assert _assessments(store) == 1


def test_the_executor_sees_a_lost_task_through_the_store(broker: str, store: Store,
                                                         tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    from mlkaizen.fleet.celery_app import CeleryExecutor

    monkeypatch.setenv("MLKAIZEN_QUEUE", f"mlk-test-nobody-{tmp_path.name}")
    run_id = _run(store, [tmp_path / "a", tmp_path / "b"], executor="celery", broker=broker)
    options = FleetOptions.model_validate(run_info(store, run_id).options)
    first, second = (j.id for j in jobs(store, run_id))
    executor = CeleryExecutor(store.url, options.stored(), options)
    try:
        assert executor.capacity == 4  # two jobs in flight per worker option
        executor.submit(first)
        executor.submit(second)
        # no worker takes the queue: nothing ended (near miss: still pending, no attempt)
        assert executor.wait(0.3) == []
        # a worker took the first job and was lost; its lease lapsed and the run took it back
        now = dt.datetime.now(dt.UTC)
        assert claim(store, first, "lost@host:1", lease=dt.timedelta(seconds=1), now=now)
        assert executor.wait(0.3) == []  # running on a live lease: still in flight
        assert requeue_running(store, run_id, only_lapsed=True,
                               now=now + dt.timedelta(seconds=2)) == 1
        assert [j.status for j in jobs(store, run_id)] == [PENDING, PENDING]
        assert executor.wait(0.3) == [(first, None)]
        assert executor.in_flight() == {second}
    finally:
        executor.close()


def test_a_worker_drives_a_whole_run_through_the_broker(workers: Workers, store: Store,
                                                        tmp_path: Path) -> None:
    from mlkaizen.fleet.celery_app import DRIVE_TASK, controller_app

    repos = [ml_repo(tmp_path / f"repo{n}") for n in range(3)]
    # a scheduled run may name the local pool: a worker drives it through Celery all the same
    run_id = _run(store, repos, executor="local", workers=1, broker=workers.broker)
    workers.start("driver", concurrency=3)  # one process drives, the others run the jobs
    sender = controller_app(workers.broker)
    sender.conf.task_default_queue = workers.queue
    counts = sender.send_task(DRIVE_TASK, args=[store.url, run_id]).get(timeout=300)
    sender.close()
    assert counts == {"pending": 0, "running": 0, "done": 3, "failed": 0}
    run = run_info(store, run_id)
    assert run.finished_at is not None and run.controller is None
    assert all((j.worker or "").startswith("driver@") for j in jobs(store, run_id))
    assert _assessments(store) == 3


def test_beat_ticks_the_schedules_every_minute_on_the_workers_store() -> None:
    from mlkaizen.fleet.celery_runs import beat_schedule

    assert beat_schedule("postgresql+psycopg://fleet@db/mlkaizen") == {
        "mlkaizen-fleet-tick": {"task": "mlkaizen.fleet.tick", "schedule": 60.0,
                                "args": ["postgresql+psycopg://fleet@db/mlkaizen"]},
    }


def test_a_worker_with_beat_starts_it_and_stops_cleanly(workers: Workers, store: Store
                                                        ) -> None:
    proc = workers.procs["beat"] = subprocess.Popen(
        [sys.executable, "-m", "mlkaizen", "worker", "--beat", "-c", "1", "-n", "beat@%h",
         "--db", store.url, "-l", "info"],
        env=workers.env, stdout=workers.log("beat").open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    workers.wait_ready("beat")
    while "beat: Starting" not in workers.log("beat").read_text(errors="replace"):
        assert proc.poll() is None, workers.log("beat").read_text()
        time.sleep(0.1)
    assert workers.stop() == {"beat": 0}


def test_the_tick_starts_a_due_schedule_and_a_worker_drives_its_run(
    workers: Workers, store: Store, tmp_path: Path
) -> None:
    schedule = pytest.importorskip("mlkaizen.fleet.schedule")
    from mlkaizen.fleet.celery_app import TICK_TASK, controller_app
    from mlkaizen.fleet.manifest import read_manifest

    try:
        read_manifest("probe.txt", "/probe\n")
    except NotImplementedError:
        pytest.skip("the manifest reader is not in this tree yet")
    repos = [ml_repo(tmp_path / f"repo{n}") for n in range(2)]
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    schedule.add_schedule(store, "nightly", "* * * * *", "".join(f"{r}\n" for r in repos),
                          FleetOptions(executor="celery", broker=workers.broker, workers=1),
                          now=an_hour_ago)
    workers.start("ticker", concurrency=3)
    sender = controller_app(workers.broker)
    sender.conf.task_default_queue = workers.queue
    (run_id,) = sender.send_task(TICK_TASK, args=[store.url]).get(timeout=120)
    sender.close()
    while run_info(store, run_id).finished_at is None:
        time.sleep(0.1)  # the drive task, on the worker, ends the run
    run = run_info(store, run_id)
    assert (run.source, run.counts[DONE]) == ("schedule nightly", 2)
    assert all((j.worker or "").startswith("ticker@") for j in jobs(store, run_id))
