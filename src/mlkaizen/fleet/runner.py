"""The controller of a fleet run: it creates the run from a manifest, hands due jobs to an
executor, requeues what lost workers left, gives up on jobs with no attempt left, and says
how far the run is. Everything it knows lives in the store, so ``--resume`` of a run killed
at any point picks up where the store says."""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
from collections.abc import Callable
from typing import Protocol

from pydantic import ValidationError

from mlkaizen.errors import MLKaizenError
from mlkaizen.fleet.manifest import Manifest
from mlkaizen.fleet.options import FleetOptions
from mlkaizen.store.db import Store
from mlkaizen.store.fleet import (
    RunInfo,
    create_run,
    due_jobs,
    fail,
    finish_run,
    heartbeat,
    requeue_running,
    retried_out,
    run_info,
    stop_reason,
    take_controller,
)
from mlkaizen.store.tables import DEFAULT_ORG_ID

HEARTBEAT = 5.0  # seconds between a controller's heartbeats
STALE = dt.timedelta(seconds=60)  # a controller silent this long is taken to be gone
POLL = 0.25  # seconds the controller waits for a job to end before looking again
REFRESH = 0.5  # seconds between looks at the whole run while jobs are under way


class Executor(Protocol):
    """Where jobs run. ``remote``: the workers live apart from the controller (a running
    job may outlive it), so only lapsed leases are taken back."""

    remote: bool
    capacity: int  # jobs handed out at once

    def submit(self, job_id: int) -> None: ...

    def wait(self, timeout: float) -> list[tuple[int, str | None]]: ...

    def in_flight(self) -> set[int]: ...

    def close(self) -> None: ...


def controller_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def start_run(
    store: Store,
    manifest: Manifest,
    source: str,
    options: FleetOptions,
    *,
    org_id: int = DEFAULT_ORG_ID,
) -> int:
    """A new run of the manifest's entries (its problems kept with the run); its id."""
    return create_run(
        store,
        source,
        [e.model_dump(mode="json") for e in manifest.entries],
        executor=options.executor,
        options=options.stored(),
        problems=list(manifest.problems),
        org_id=org_id,
    )


def _alive_here(controller: str | None) -> bool:
    """Whether ``controller`` (host:pid) is a live process on this host."""
    if not controller:
        return False
    host, _, pid = controller.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _on_this_host(controller: str | None) -> bool:
    host, _, pid = (controller or "").rpartition(":")
    return host == socket.gethostname() and pid.isdigit()


def make_executor(store: Store, options: FleetOptions) -> Executor:
    if options.executor == "celery":
        from mlkaizen.fleet.celery_app import CeleryExecutor

        return CeleryExecutor(store.url, options.stored(), options)
    from mlkaizen.fleet.local import LocalPool

    return LocalPool(store.url, options.stored(), options.workers)


def drive(
    store: Store,
    run_id: int,
    *,
    executor: Executor | None = None,
    progress: Callable[[RunInfo], None] | None = None,
    resume: bool = False,
) -> RunInfo:
    """Run the run's jobs to the end (or until a worker stops the run: a full disk), and
    mark it finished. With ``resume``, jobs that the run's dead controller left running are
    taken back first. Raises :class:`MLKaizenError` when another live controller drives it."""
    run = run_info(store, run_id)
    try:
        options = FleetOptions.model_validate(run.options)
    except ValidationError as exc:
        where = ".".join(str(x) for x in exc.errors()[0]["loc"]) or "options"
        raise MLKaizenError(
            f"fleet run #{run_id}: its stored option {where} is not valid (was the store "
            "changed by other means?); start a new run"
        ) from None
    who = controller_name()
    if resume and _alive_here(run.controller):
        raise MLKaizenError(
            f"fleet run #{run_id} is still being driven by process {run.controller}; "
            "stop it first"
        )
    stale = STALE
    if resume and _on_this_host(run.controller):
        stale = dt.timedelta(0)  # its controller was here and is gone (killed): no need to wait
    executor = executor or make_executor(store, options)  # a broker down: said before taking
    try:
        take_controller(store, run_id, who, stale_after=stale)
    except BaseException:
        executor.close()
        raise
    if resume:
        requeue_running(store, run_id, only_lapsed=executor.remote)
    beat = looked = time.monotonic()
    run = run_info(store, run_id)
    try:
        while True:
            flying = executor.in_flight()
            if not flying or time.monotonic() - looked >= REFRESH:
                retried_out(store, run_id, options.attempts)
                if executor.remote:
                    requeue_running(store, run_id, only_lapsed=True)
                run, looked = run_info(store, run_id), time.monotonic()
                if progress is not None:
                    progress(run)
                if not flying and (run.stopped is not None or run.finished):
                    break
            if len(flying) < executor.capacity and stop_reason(store, run_id) is None:
                for job in due_jobs(
                    store, run_id, limit=executor.capacity - len(flying), skip=flying
                ):
                    executor.submit(job.id)
            if not executor.in_flight():
                time.sleep(POLL)  # nothing under way: a backoff, or remote workers, to wait for
            for job_id, died in executor.wait(POLL):
                if died is not None:
                    _lost(store, job_id, died, options)
            if time.monotonic() - beat >= HEARTBEAT:
                heartbeat(store, run_id, who)
                beat = time.monotonic()
    finally:
        executor.close()
    finish_run(store, run_id, stopped=stop_reason(store, run_id))
    return run_info(store, run_id)


def _lost(store: Store, job_id: int, why: str, options: FleetOptions) -> None:
    """A job whose worker died with it: retried after the first backoff, like a failure."""
    retry_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=options.backoff(1, 0.0))
    fail(store, job_id, None, why, retry_at=retry_at)
