"""The server's own scan scheduler: started and stopped with the application's lifespan,
off unless asked for, and a due schedule's run driven to its end in a thread of the server
on the local process pool (the tick is called with a time, never waited for)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the server extra is not installed")

from fastapi.testclient import TestClient

from mlkaizen.fleet.options import FleetOptions
from mlkaizen.fleet.schedule import add_schedule
from mlkaizen.server.app import create_app
from mlkaizen.server.scheduler import Scheduler
from mlkaizen.store import schedules
from mlkaizen.store.db import Store, open_store
from mlkaizen.store.fleet import jobs, run_info
from tests.fleet.schedule_support import repo


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    yield s
    s.close()


def test_the_scheduler_runs_with_the_application(store: Store) -> None:
    app = create_app(store, schedule=True)
    assert app.state.scheduler is None  # not before the application starts
    with TestClient(app) as client:
        scheduler = app.state.scheduler
        assert isinstance(scheduler, Scheduler) and scheduler.running
        assert client.get("/healthz").json() == {"status": "ok"}
    assert app.state.scheduler is None
    assert not scheduler.running  # stopped with the application, not left behind


def test_no_scheduler_unless_asked_for(store: Store) -> None:
    app = create_app(store)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert app.state.scheduler is None


def test_a_due_schedule_is_driven_to_its_end_by_the_server(store: Store,
                                                           tmp_path: Path) -> None:
    churn, fraud = repo(tmp_path, "churn"), repo(tmp_path, "fraud")
    s = add_schedule(store, "nightly", "0 3 * * *", f"{churn}\n{fraud}\n",
                     FleetOptions(workers=1, retries=0))
    app = create_app(store, schedule=True)
    with TestClient(app):
        scheduler: Scheduler = app.state.scheduler
        (run_id,) = scheduler.tick(now=s.next_at)  # the slot has come
        assert scheduler.tick(now=s.next_at) == []  # and is taken
        scheduler.join_runs()
        assert scheduler.runs_under_way() == []
    run = run_info(store, run_id)
    assert run.source == "schedule nightly"
    assert run.finished_at is not None and run.stopped is None
    assert run.counts == {"pending": 0, "running": 0, "done": 2, "failed": 0}
    assert [j.results[0]["name"] for j in jobs(store, run_id)] == ["churn", "fraud"]
    after = schedules.get(store, "nightly")
    assert after is not None and after.last_run_id == run_id and after.next_at > s.next_at


def test_serve_can_leave_the_schedules_to_celery_beat(capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    from mlkaizen.cli import main

    try:
        main(["serve", "--help"])
    except SystemExit as exc:
        assert exc.code in (0, None)
    out = " ".join(capsys.readouterr().out.split())
    assert "--schedule --no-schedule" in out or "--schedule / --no-schedule" in out


def test_a_run_under_way_at_shutdown_is_stopped_to_be_resumed(store: Store,
                                                              tmp_path: Path) -> None:
    import datetime as dt

    from sqlalchemy import update

    from mlkaizen.fleet.manifest import Entry, Manifest
    from mlkaizen.fleet.runner import start_run
    from mlkaizen.store.tables import FleetJobRow

    churn = repo(tmp_path, "churn")
    run_id = start_run(store, Manifest(entries=[Entry(location=str(churn), kind="path")],
                                       problems=[]), "schedule nightly", FleetOptions(workers=1))
    with store.session() as session:  # a job waiting out a backoff: the run stays under way
        session.execute(update(FleetJobRow).where(FleetJobRow.run_id == run_id).values(
            not_before=dt.datetime.now(dt.UTC) + dt.timedelta(days=1)))
    scheduler = Scheduler(store)
    scheduler.launch(run_id)
    assert scheduler.runs_under_way() == [run_id]
    scheduler.stop()
    scheduler.join_runs()
    run = run_info(store, run_id)
    assert run.stopped == ("the server stopped: finish it with `mlkaizen fleet scan --resume "
                           f"{run_id}`")
    assert run.finished_at is None and run.counts["pending"] == 1
