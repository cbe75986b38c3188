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
from mlkaizen.fleet.worker import worker_name
from mlkaizen.store.db import Store
from mlkaizen.store.fleet import (
    RunInfo,
    create_run,
    due_jobs,
    fail,
    finish_run,
    heartbeat,
    job_attempts,
    lapsed,
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

    def abandon(self) -> None:
        """Stop the jobs under way for good (their :meth:`wait` reports them lost)."""

    def close(self) -> None: ...


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
    taken back first. Raises :class:`MLKaizenError` when another live controller drives it,
    or takes it over while this one does (this one went silent past ``STALE``): the jobs
    under way here still end, and the run is left to the other."""
    run = run_info(store, run_id)
    options = _options(run)
    who = worker_name()
    executor = _take(store, run, who, executor or make_executor, options=options,
                     resume=resume)
    beat = looked = time.monotonic()
    # hand out jobs once a batch of them may go (half the room): fewer looks at the store
    batch = max(1, executor.capacity // 2)
    try:
        while True:
            flying = executor.in_flight()
            if not flying or time.monotonic() - looked >= REFRESH:
                run = _look(store, run_id, who, executor, flying=flying, options=options)
                looked = time.monotonic()
                if progress is not None:
                    progress(run)
                if not flying and (run.stopped is not None or run.finished):
                    break
            room = executor.capacity - len(flying)
            if (room >= batch or not flying) and stop_reason(store, run_id) is None:
                for job in due_jobs(store, run_id, limit=room, skip=flying,
                                    max_attempts=options.attempts):
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


def _options(run: RunInfo) -> FleetOptions:
    try:
        return FleetOptions.model_validate(run.options)
    except ValidationError as exc:
        where = ".".join(str(x) for x in exc.errors()[0]["loc"]) or "options"
        raise MLKaizenError(
            f"fleet run #{run.id}: its stored option {where} is not valid (was the store "
            "changed by other means?); start a new run"
        ) from None


def _take(
    store: Store,
    run: RunInfo,
    who: str,
    executor: Executor | Callable[[Store, FleetOptions], Executor],
    *,
    options: FleetOptions,
    resume: bool,
) -> Executor:
    """Take the run over for ``who`` (refused while its controller lives) with its executor
    made (a broker that is down is said before the run is taken); with ``resume``, take
    back the jobs its dead controller left running."""
    if resume and _alive_here(run.controller):
        raise MLKaizenError(
            f"fleet run #{run.id} is still being driven by process {run.controller}; "
            "stop it first"
        )
    stale = STALE
    if resume and _on_this_host(run.controller):
        stale = dt.timedelta(0)  # its controller was here and is gone (killed): no need to wait
    made = executor(store, options) if callable(executor) else executor
    try:
        take_controller(store, run.id, who, stale_after=stale)
    except BaseException:
        made.close()
        raise
    if resume:
        requeue_running(store, run.id, only_lapsed=made.remote)
    return made


def _look(
    store: Store, run_id: int, who: str, executor: Executor, *, flying: set[int],
    options: FleetOptions,
) -> RunInfo:
    """The whole run, after its upkeep: jobs out of attempts failed, lost or stuck ones
    taken back. Raises when another controller took the run over."""
    retried_out(store, run_id, options.attempts)
    if executor.remote:
        requeue_running(store, run_id, only_lapsed=True)
    elif set(lapsed(store, run_id)) & flying:
        # a job past its lease is stuck where its time limit cannot reach (in C code): its
        # workers are killed, and the jobs they held retried
        executor.abandon()
    run = run_info(store, run_id)
    if run.controller != who:  # taken for gone, and resumed elsewhere: stop here
        raise MLKaizenError(
            f"fleet run #{run_id} was taken over by {run.controller or 'another'} process; "
            "this one stops driving it"
        )
    return run


def _lost(store: Store, job_id: int, why: str, options: FleetOptions) -> None:
    """A job whose worker died with it: retried after a backoff, like a failure (failed for
    good once it has no attempt left)."""
    _, attempts = job_attempts(store, [job_id]).get(job_id, ("", 1))
    retry_at = None
    if attempts < options.attempts:
        wait = options.backoff(max(1, attempts), 0.0)
        retry_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=wait)
    fail(store, job_id, None, why, retry_at=retry_at)
