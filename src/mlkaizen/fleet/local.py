"""The default executor: a pool of local worker processes.

The workers are started fresh (``spawn``: nothing of the controller's threads or open
connections is inherited) and die with the controller (``PR_SET_PDEATHSIG`` on Linux), so a
controller killed with ``kill -9`` leaves no worker behind to write after it."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
from typing import Any

from mlkaizen.fleet.worker import run_job

_PR_SET_PDEATHSIG = 1


def _init(parent: int) -> None:
    """In each worker: die with the controller, leave Ctrl-C to it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the pool's own shutdown still applies
        return
    if os.getppid() != parent:  # the controller died before the signal was asked for
        os._exit(1)


class LocalPool:
    """``workers`` processes; :meth:`wait` hands back the jobs that ended, with the reason
    when a worker process itself died (killed, out of memory)."""

    remote = False

    def __init__(self, store_url: str, options: dict[str, Any], workers: int) -> None:
        self.store_url, self.options, self.workers = store_url, options, workers
        # twice the workers handed out: a worker that ends a job starts the next at once,
        # without waiting for the controller (a job handed out is claimed only when it starts)
        self.capacity = 2 * workers
        self._futures: dict[cf.Future[str], int] = {}
        self._pool = self._new_pool()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init,
            initargs=(os.getpid(),),
        )

    def submit(self, job_id: int) -> None:
        future = self._pool.submit(run_job, self.store_url, job_id, self.options)
        self._futures[future] = job_id

    def wait(self, timeout: float) -> list[tuple[int, str | None]]:
        """Jobs that ended within ``timeout`` seconds: (job id, ``None``) or (job id, why its
        worker process died)."""
        if not self._futures:
            return []
        done, _ = cf.wait(self._futures, timeout=timeout, return_when=cf.FIRST_COMPLETED)
        out: list[tuple[int, str | None]] = []
        broken = False
        for future in done:
            job_id = self._futures.pop(future)
            try:
                future.result()
                out.append((job_id, None))
            except cf.process.BrokenProcessPool:
                broken = True
                out.append((job_id, "its worker process died (killed, or out of memory)"))
            except Exception as exc:
                out.append((job_id, f"its worker failed: {type(exc).__name__}: {exc}"))
        if broken:  # a dead worker breaks the whole pool: the others' jobs are lost too
            for future, job_id in list(self._futures.items()):
                out.append((job_id, "its worker pool broke (another worker died)"))
                del self._futures[future]
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
        return out

    def in_flight(self) -> set[int]:
        return set(self._futures.values())

    def abandon(self) -> None:
        """Kill the workers: :meth:`wait` then reports each job under way as lost, and the
        pool is made again."""
        # the pool has no public way to kill a worker stuck in a job (shutdown waits for it)
        processes = getattr(self._pool, "_processes", None) or {}
        for process in list(processes.values()):
            process.kill()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
