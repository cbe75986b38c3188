"""The Celery tasks that drive whole fleet runs, loaded by every `mlkaizen worker`:

- ``mlkaizen.fleet.drive``: drive a run to its end, its jobs sent to the workers through
  the broker (a scheduled run, started by the tick);
- ``mlkaizen.fleet.tick``: Celery beat's periodic task (every minute, `mlkaizen worker
  --beat`): start the runs whose schedule is due, each driven by a ``drive`` task.

They live apart from :mod:`mlkaizen.fleet.celery_app` because they use the controller of
:mod:`mlkaizen.fleet.runner`, which itself uses the Celery executor defined there.
"""

from __future__ import annotations

from typing import Any

from mlkaizen.fleet.celery_app import DRIVE_TASK, TICK_TASK, CeleryExecutor, app
from mlkaizen.fleet.options import FleetOptions
from mlkaizen.fleet.runner import drive
from mlkaizen.fleet.worker import _store
from mlkaizen.store.fleet import run_info

TICK_EVERY = 60.0  # seconds between two looks at the schedules


@app.task(name=DRIVE_TASK)
def drive_task(store_url: str, run_id: int) -> dict[str, int]:
    """Drive run ``run_id`` to its end with the Celery executor (whatever executor the run
    names: a process pool cannot start inside a Celery worker's process). Driven as a
    resume, so a redelivered task (its worker lost) picks up where the store says; a run
    another live controller drives is refused by the store."""
    store = _store(store_url)
    options = FleetOptions.model_validate(run_info(store, run_id).options)
    executor = CeleryExecutor(store_url, options.stored(), options)
    return dict(drive(store, run_id, executor=executor, resume=True).counts)


@app.task(name=TICK_TASK)
def tick_task(store_url: str) -> list[int]:
    """Start the runs whose schedule is due (see :func:`mlkaizen.fleet.schedule.tick`), each
    driven by a ``drive`` task on some worker; the ids of the runs started."""
    from mlkaizen.fleet.schedule import tick

    def launch(run_id: int) -> None:
        drive_task.apply_async(args=(store_url, run_id))

    started: list[int] = tick(_store(store_url), launch)
    return started


def beat_schedule(store_url: str) -> dict[str, dict[str, Any]]:
    """Celery beat's schedule: the tick every minute, on the store at ``store_url``."""
    return {"mlkaizen-fleet-tick": {"task": TICK_TASK, "schedule": TICK_EVERY,
                                    "args": [store_url]}}
