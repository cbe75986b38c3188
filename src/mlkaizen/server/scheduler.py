"""The server's own scan scheduler: a thread that fires due schedules every 30 s
(:func:`mlkaizen.fleet.schedule.tick`) and drives each run it starts in a thread of its
own, on the run's executor (the local process pool unless the schedule says celery).

It runs while the application does (started and stopped by its lifespan). When Celery beat
fires the schedules instead, the server is started with ``--no-schedule``; both at once
would still start each slot once (a slot is taken by one ticker only)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from mlkaizen.fleet.runner import drive
from mlkaizen.fleet.schedule import TICK_SECONDS, tick
from mlkaizen.store.db import Store
from mlkaizen.store.fleet import stop_run

log = logging.getLogger("mlkaizen.server.scheduler")


class Scheduler:
    """``start`` the ticking thread; ``stop`` it (runs under way are told to stop and are
    finished later by ``mlkaizen fleet scan --resume RUN``)."""

    def __init__(self, store: Store, interval: float = TICK_SECONDS) -> None:
        self.store, self.interval = store, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._runs: dict[int, threading.Thread] = {}

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="mlkaizen-scheduler",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop ticking, and tell the runs under way to stop (each ends once its jobs in
        flight do, waited for up to ``timeout`` seconds in all)."""
        deadline = time.monotonic() + timeout
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        with self._lock:
            runs = list(self._runs.items())
        for run_id, thread in runs:
            # said again until the run ends: a run just taken up clears what it finds
            while thread.is_alive() and time.monotonic() < deadline:
                stop_run(self.store, run_id, "the server stopped: finish it with `mlkaizen "
                         f"fleet scan --resume {run_id}`")
                thread.join(0.5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception as exc:  # the store away a moment: the next tick tries again
                log.error("scheduled scans: %s: %s", type(exc).__name__, exc)
            self._stop.wait(self.interval)

    def tick(self, now: dt.datetime | None = None) -> list[int]:
        """Start the runs that are due at ``now``; their ids."""
        return tick(self.store, self.launch, now)

    def launch(self, run_id: int) -> None:
        """Drive the run in a thread of the server."""
        thread = threading.Thread(target=self._drive, args=(run_id,),
                                  name=f"mlkaizen-fleet-run-{run_id}", daemon=True)
        with self._lock:
            self._runs[run_id] = thread
        thread.start()

    def _drive(self, run_id: int) -> None:
        try:
            run = drive(self.store, run_id)
            log.info("fleet run #%d ended: %s", run_id, run.counts)
        except Exception as exc:
            log.error("fleet run #%d: %s: %s (finish it with `mlkaizen fleet scan --resume "
                      "%d`)", run_id, type(exc).__name__, exc, run_id)
        finally:
            with self._lock:
                self._runs.pop(run_id, None)

    def runs_under_way(self) -> list[int]:
        with self._lock:
            return sorted(r for r, t in self._runs.items() if t.is_alive())

    def join_runs(self, timeout: float | None = None) -> None:
        """Wait for the runs under way to end (tests, and a clean shutdown)."""
        with self._lock:
            threads = list(self._runs.values())
        for thread in threads:
            thread.join(timeout)
