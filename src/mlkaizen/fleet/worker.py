"""One fleet job, run by a worker process (of the local pool or a Celery worker): claim it
in the store, assess its repository within the job's time limit, then store the results
and mark it done in one transaction, or record the failure (with a retry after a backoff
while attempts are left)."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.limits import ScanLimits
from mlkaizen.fleet.job import DiskFullError, JobError, scan_entry
from mlkaizen.fleet.manifest import Entry
from mlkaizen.fleet.options import FleetOptions
from mlkaizen.store.db import Store
from mlkaizen.store.fleet import claim, complete, fail, release, stop_run

LEASE_MARGIN = 120.0  # seconds a lease outlives the job's time limit (at most: see run_job)

# what a worker process keeps between jobs: its store connections and catalogues
_STORES: dict[str, Store] = {}
_CATALOGUES: dict[str | None, Catalogue] = {}


class JobTimeout(BaseException):  # raised by the alarm, caught in run_job
    """The job's time limit passed. Not an :class:`Exception`: the scan catches those where a
    detector or plugin fails, and would carry on past the limit."""


def worker_name() -> str:
    """This process as the store names a worker or a controller: host:pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _store(url: str) -> Store:
    if url not in _STORES:
        from mlkaizen.store import open_store

        _STORES[url] = open_store(url, migrate=False)
    return _STORES[url]


def _catalogue(name: str | None) -> Catalogue:
    if name not in _CATALOGUES:
        from mlkaizen.catalogues import load_catalogue

        _CATALOGUES[name] = load_catalogue(name)
    return _CATALOGUES[name]


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`JobTimeout` in this thread once ``seconds`` have passed (the main
    thread only, by a real-time alarm; elsewhere only git's own time limits apply). A
    parse's own budget inside it keeps this timer (see :mod:`mlkaizen.evidence.budget`); an
    alarm whose error was swallowed on the way is a timeout all the same."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    rang: list[bool] = []

    def ring(_signum: int, _frame: FrameType | None) -> None:
        rang.append(True)
        raise JobTimeout

    before = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)
    if rang:
        raise JobTimeout


def run_job(store_url: str, job_id: int, options: dict[str, Any], worker: str | None = None
            ) -> str:
    """Run job ``job_id`` of the store at ``store_url``: ``done``, ``pending`` (failed, to be
    retried), ``failed``, ``skipped`` (someone else holds or finished it) or ``stopped``
    (the run stops: the disk is full). Never raises for a problem of the repository."""
    opts = FleetOptions.model_validate(options)
    store = _store(store_url)
    who = worker or worker_name()
    # a short time limit, a short lease: a lost worker's job is taken back soon after
    lease = dt.timedelta(seconds=opts.timeout + min(LEASE_MARGIN, opts.timeout))
    job = claim(store, job_id, who, lease=lease)
    if job is None:
        return "skipped"
    started = time.monotonic()
    permanent = False
    try:
        entry = Entry.model_validate(job.entry)
        with deadline(opts.timeout):
            scanned = scan_entry(
                entry,
                cache=Path(opts.cache),
                catalogue=_catalogue(opts.catalogue),
                limits=ScanLimits(),
                timeout=opts.timeout,
            )
    except DiskFullError as exc:
        release(store, job_id, who)
        stop_run(store, job.run_id, exc.message)
        return "stopped"
    except JobTimeout:
        reason = f"over its time limit of {opts.timeout:g} s"
    except JobError as exc:
        reason, permanent = exc.message, exc.permanent
    except MLKaizenError as exc:
        reason = str(exc)
    except Exception as exc:
        reason = f"internal error: {type(exc).__name__}: {exc}"
    else:
        stored = complete(
            store,
            job_id,
            scanned.subjects,
            commit=scanned.commit,
            commit_date=scanned.commit_date,
            seconds=round(time.monotonic() - started, 3),
        )
        return "done" if stored else "skipped"
    retry_at = None
    if not permanent and job.attempts < opts.attempts:
        wait = opts.backoff(job.attempts, random.random())
        retry_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=wait)
    return fail(store, job_id, who, reason, retry_at=retry_at) or "skipped"
