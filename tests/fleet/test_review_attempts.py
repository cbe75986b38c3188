"""A job never gets more attempts than the run allows, even when its worker is lost on the
last one and the controller takes it back (a lapsed lease on a Celery worker)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mlkaizen.fleet.manifest import Entry, Manifest
from mlkaizen.fleet.options import FleetOptions
from mlkaizen.fleet.runner import drive, start_run
from mlkaizen.store import open_store
from mlkaizen.store.db import Store
from mlkaizen.store.fleet import (
    FAILED,
    PENDING,
    RunInfo,
    claim,
    due_jobs,
    jobs,
    requeue_running,
)
from tests.conftest import write_tree
from tests.fleet.celery_support import redis_url

T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
LOST = "the worker was lost before the job ended"


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from redis_url(tmp_path_factory.mktemp("review-broker"))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'fleet.db'}")
    yield opened
    opened.close()


def _run(store: Store, tmp_path: Path, n: int, **options: Any) -> int:
    entries = [Entry(location=str(write_tree(tmp_path / f"r{i}", {"train.py": "import x\n"})),
                     kind="path") for i in range(n)]
    return start_run(store, Manifest(entries=entries, problems=[]), "repos.txt",
                     FleetOptions(cache=str(tmp_path / "cache"), **options))


def test_a_job_taken_back_with_no_attempt_left_is_not_due(store: Store, tmp_path: Path
                                                          ) -> None:
    run_id = _run(store, tmp_path, 2)
    spent, fresh = (j.id for j in jobs(store, run_id))
    claim(store, spent, "w", lease=dt.timedelta(seconds=1), now=T0)
    assert requeue_running(store, run_id, only_lapsed=True, now=T0 + dt.timedelta(hours=1)) == 1
    later = T0 + dt.timedelta(hours=2)
    assert [j.id for j in due_jobs(store, run_id, limit=5, max_attempts=1, now=later)] == [fresh]
    # the near miss: one attempt left, so it is due again
    assert [j.id for j in due_jobs(store, run_id, limit=5, max_attempts=2, now=later)] == [
        spent, fresh]


def test_a_celery_job_lost_on_its_last_attempt_is_failed_not_sent_again(
    broker: str, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import redis

    # a queue no worker listens to: what the controller sends stays there, to be counted
    queue = f"review-{uuid.uuid4().hex}"
    monkeypatch.setenv("MLKAIZEN_QUEUE", queue)
    run_id = _run(store, tmp_path, 1, executor="celery", broker=broker, retries=0)
    (job,) = jobs(store, run_id)
    # its only attempt, on a worker that was lost an hour ago: its lease has lapsed
    now = dt.datetime.now(dt.UTC)
    claim(store, job.id, "gone@elsewhere:1", lease=dt.timedelta(seconds=1),
          now=now - dt.timedelta(hours=1))
    looks: list[dict[str, int]] = []

    def guard(run: RunInfo) -> None:
        looks.append(dict(run.counts))
        if len(looks) > 20:
            raise RuntimeError(f"the run does not end: {looks[-1]}")

    run = drive(store, run_id, progress=guard)
    assert run.counts == {PENDING: 0, "running": 0, "done": 0, FAILED: 1}
    (job,) = jobs(store, run_id)
    assert (job.status, job.attempts, job.error) == (FAILED, 1, LOST)
    with redis.Redis.from_url(broker) as client:
        assert client.llen(queue) == 0  # never sent again for a worker to claim a second time
