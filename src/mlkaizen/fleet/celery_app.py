"""The Celery executor and the Celery application of MLKaizen's workers (`mlkaizen worker`):
jobs go through the broker (Redis) and each worker writes its results to the shared store.

Exactly once does not rest on Celery: a task may be delivered twice (a worker lost before it
acknowledged, a broker that restores an unacknowledged message) and a job may be sent again
by a resumed controller. The store's ``claim`` lets one worker at a time hold a job and its
``complete`` stores a job's results only if it is not done yet, so a duplicate is harmless.
Messages are JSON only (a pickled message would run code of whoever can write to the broker).

The tasks that drive whole runs (a scheduled run, Celery beat's tick) live in
:mod:`mlkaizen.fleet.celery_runs`, which the worker loads: they use the controller of
:mod:`mlkaizen.fleet.runner`, which uses the executor defined here.
"""

from __future__ import annotations

import os
import time
from typing import Any

from celery import Celery, Task
from celery.result import AsyncResult

from mlkaizen.errors import MLKaizenError
from mlkaizen.fleet.options import FleetOptions
from mlkaizen.fleet.worker import run_job

BROKER_ENV = "MLKAIZEN_BROKER"
QUEUE_ENV = "MLKAIZEN_QUEUE"
DEFAULT_BROKER = "redis://localhost:6379/0"
DEFAULT_QUEUE = "mlkaizen"
JOB_TASK = "mlkaizen.fleet.job"
DRIVE_TASK = "mlkaizen.fleet.drive"
TICK_TASK = "mlkaizen.fleet.tick"
RUNS_MODULE = "mlkaizen.fleet.celery_runs"  # the drive and tick tasks (loaded by workers)
CONNECT_TIMEOUT = 5  # seconds to reach the broker before saying it cannot be reached


def broker_url(broker: str | None = None) -> str:
    """``broker``, else ``MLKAIZEN_BROKER``, else a Redis server on this host."""
    return broker or os.environ.get(BROKER_ENV) or DEFAULT_BROKER


def queue_name(queue: str | None = None) -> str:
    return queue or os.environ.get(QUEUE_ENV) or DEFAULT_QUEUE


def configure(target: Celery, broker: str | None = None, queue: str | None = None) -> Celery:
    """Point ``target`` at the broker (results kept in the same Redis, for the controller to
    see which tasks ended) with the settings every MLKaizen worker and sender share."""
    url = broker_url(broker)
    redis = url.startswith(("redis://", "rediss://", "redis+socket://"))
    target.conf.update(
        broker_url=url,
        result_backend=url if redis else None,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        task_acks_late=True,  # a job's message is acknowledged when it ended, not before
        task_reject_on_worker_lost=True,  # a worker process killed mid-job: redelivered
        worker_prefetch_multiplier=1,  # a worker holds no message it is not running
        task_default_queue=queue_name(queue),
        result_expires=24 * 3600,
        broker_connection_timeout=CONNECT_TIMEOUT,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        enable_utc=True,
        timezone="UTC",
    )
    return target


#: the application of `mlkaizen worker` (configured by it, from its options)
app = configure(Celery("mlkaizen", include=[RUNS_MODULE], set_as_current=False))


def controller_app(broker: str | None) -> Celery:
    """An application of its own for a process that sends jobs (a controller), so that two
    runs with different brokers never share one."""
    return configure(Celery("mlkaizen-controller", set_as_current=False), broker)


def check_broker(target: Celery) -> None:
    """A one-line error when the broker cannot be reached (before any job is sent); a
    password in its URL is never shown."""
    from kombu.utils.url import maybe_sanitize_url

    conn = target.connection_for_write()
    try:
        conn.ensure_connection(max_retries=1, timeout=CONNECT_TIMEOUT)
    except Exception as exc:
        raise MLKaizenError(
            f"cannot reach the Celery broker at {maybe_sanitize_url(target.conf.broker_url)}: "
            f"{' '.join(str(exc).split()) or type(exc).__name__} "
            f"(start it, or give its URL with --broker or {BROKER_ENV})"
        ) from None
    finally:
        conn.release()


@app.task(name=JOB_TASK, bind=True)
def job_task(self: Task[Any, Any], store_url: str, job_id: int, options: dict[str, Any]
             ) -> str:
    """One fleet job, as :func:`mlkaizen.fleet.worker.run_job` runs it; named after the
    Celery worker (``name@host``) and its process, so a run shows which worker did what."""
    return run_job(store_url, job_id, options,
                   worker=f"{self.request.hostname or 'celery'}:{os.getpid()}")


class CeleryExecutor:
    """Jobs sent to the broker; :meth:`wait` hands back those whose task ended, from the
    task's result or, failing that, from the store (a task lost with its worker never says
    it ended: the job is taken back when its lease lapses, and sent again)."""

    remote = True

    def __init__(self, store_url: str, stored: dict[str, Any], options: FleetOptions) -> None:
        from mlkaizen.store import open_store

        self.store_url, self.options = store_url, stored
        self.capacity = options.workers * 2  # a job waiting behind each running one
        self.app = controller_app(options.broker)
        check_broker(self.app)
        self._store = open_store(store_url, migrate=False)
        self._sent: dict[int, tuple[AsyncResult[Any], int]] = {}  # job -> (task, attempts)

    def submit(self, job_id: int) -> None:
        from mlkaizen.store.fleet import job_attempts

        attempts = job_attempts(self._store, [job_id]).get(job_id, (None, 0))[1]
        task = self.app.send_task(JOB_TASK, args=[self.store_url, job_id, self.options])
        self._sent[job_id] = (task, attempts)

    def _ended(self) -> list[int]:
        from mlkaizen.store.fleet import DONE, FAILED, PENDING, job_attempts

        ended = [j for j, (task, _) in self._sent.items() if task.ready()]
        rest = [j for j in self._sent if j not in ended]
        for job_id, (status, attempts) in job_attempts(self._store, rest).items():
            if status in (DONE, FAILED) or (
                status == PENDING and attempts > self._sent[job_id][1]
            ):  # finished or failed elsewhere, or taken back after its worker was lost
                ended.append(job_id)
        return ended

    def wait(self, timeout: float) -> list[tuple[int, str | None]]:
        """Jobs whose task ended within ``timeout`` seconds: (job id, ``None``) when the
        worker recorded how it went in the store, or (job id, why the task itself failed)."""
        end = time.monotonic() + timeout
        while self._sent:
            ended = self._ended()
            if ended:
                out: list[tuple[int, str | None]] = []
                for job_id in ended:
                    task, _ = self._sent.pop(job_id)
                    why = None
                    if task.ready():
                        if task.failed():  # run_job raised: the store could not be written
                            why = f"its Celery task failed: {task.result!r}"[:500]
                        task.forget()
                    out.append((job_id, why))
                return out
            left = end - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(left, 0.1))
        return []

    def in_flight(self) -> set[int]:
        return set(self._sent)

    def abandon(self) -> None:
        """Nothing to do: a remote worker's lapsed job is taken back through the store."""

    def close(self) -> None:
        """Forget what is under way here: the tasks already sent still run on the workers,
        and their results land in the store."""
        self._sent.clear()
        self._store.close()
        self.app.close()
