"""Scan schedules: a manifest re-assessed as a fleet run on a cron (five fields, UTC).

:func:`tick` is what fires them. The server's own scheduler calls it every 30 s, or Celery
beat does when Celery runs the fleet; either way it is the same function. A slot is taken
by one ticker only (see :mod:`mlkaizen.store.schedules`), a server that was down for days
starts one run, not one per missed slot, and a schedule whose run is still under way skips
its slot rather than start a second run beside it."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from mlkaizen.errors import MLKaizenError
from mlkaizen.fleet.manifest import read_manifest
from mlkaizen.fleet.options import FleetOptions
from mlkaizen.fleet.runner import STALE, start_run
from mlkaizen.store import schedules
from mlkaizen.store.db import Store
from mlkaizen.store.fleet import RunInfo, run_info
from mlkaizen.store.tables import DEFAULT_ORG_ID

log = logging.getLogger("mlkaizen.fleet.schedule")

TICK_SECONDS = 30.0  # how often the server's scheduler looks for due schedules
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
CRON_HELP = 'five fields in UTC: minute hour day-of-month month day-of-week, e.g. "0 3 * * *"'


def _now(now: dt.datetime | None) -> dt.datetime:
    when = now or dt.datetime.now(dt.UTC)
    return when.astimezone(dt.UTC) if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def check_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise MLKaizenError(f"schedule name {name!r}: use letters, digits, '.', '_' and '-' "
                            "(at most 128, starting with a letter or digit)")
    return name


def require_cron() -> None:
    """A one-line error when the cron reader is not installed (it comes with the server
    and celery extras)."""
    try:
        import cronsim  # noqa: F401
    except ImportError:
        raise MLKaizenError("scan schedules need the cron reader: pip install "
                            "'mlkaizen[server]' (or 'mlkaizen[celery]' for Celery beat)") from None


def next_time(cron: str, after: dt.datetime) -> dt.datetime:
    """The cron's first slot strictly after ``after``, in UTC. A cron that is not five
    valid fields is a one-line error."""
    require_cron()
    from cronsim import CronSim, CronSimError

    fields = cron.split()
    if len(fields) != 5:
        raise MLKaizenError(f"cron {cron!r}: {len(fields)} fields; expected {CRON_HELP}")
    try:
        # seconds are dropped: a slot is a whole minute, and the same minute never fires twice
        return next(CronSim(" ".join(fields), _now(after).replace(second=0, microsecond=0)))
    except (CronSimError, StopIteration) as exc:
        reason = str(exc).rstrip(".").lower() or "it never fires"
        raise MLKaizenError(f"cron {cron!r}: {reason}; expected {CRON_HELP}") from None


#: where a schedule's manifest was read from, kept with its options: the text's relative
#: paths are the manifest's folder's, as for ``fleet scan`` (the file itself is not read again)
MANIFEST_PATH = "manifest_path"


def add_schedule(
    store: Store,
    name: str,
    cron: str,
    manifest: str,
    options: FleetOptions,
    *,
    manifest_path: str | None = None,
    org_id: int = DEFAULT_ORG_ID,
    now: dt.datetime | None = None,
) -> schedules.Schedule:
    """Register ``manifest`` (its text: the schedule does not depend on the file) to be
    assessed on ``cron``; it first fires at the cron's next slot after ``now``.
    ``manifest_path``: the file the text was read from (its relative paths are read from
    that file's folder, and its problems name it)."""
    check_name(name)
    now = _now(now)
    first = next_time(cron, now)
    stored = options.stored()
    if manifest_path is not None:
        stored[MANIFEST_PATH] = os.path.abspath(manifest_path)
    return schedules.add(store, name, " ".join(cron.split()), manifest, stored,
                         next_at=first, org_id=org_id, now=now)


def enable(store: Store, name: str, on: bool, *, org_id: int = DEFAULT_ORG_ID,
           now: dt.datetime | None = None) -> bool:
    """Turn a schedule on (from its next slot after ``now``: the slots it was off for are
    not made up) or off; whether there was such a schedule."""
    found = schedules.get(store, name, org_id)
    if found is None:
        return False
    next_at = next_time(found.cron, _now(now)) if on else None
    return schedules.set_enabled(store, name, on, next_at=next_at, org_id=org_id)


def under_way(run: RunInfo, now: dt.datetime) -> bool:
    """Whether the run is still being driven: not ended, not stopped, and its controller
    gave a heartbeat (or, not yet taken up, it was created) within the time after which a
    controller is taken to be gone. A run whose server died is not waited for."""
    if run.finished_at is not None or run.stopped is not None or run.finished:
        return False
    seen = run.heartbeat_at or run.created_at
    return now - seen < STALE


def tick(store: Store, launch: Callable[[int], Any], now: dt.datetime | None = None) -> list[int]:
    """Start a run of every schedule whose slot has come, and hand it to ``launch`` (which
    drives it: a thread of the server, or a Celery task); the ids of the runs started.

    Each schedule then moves to its first slot after ``now``. A slot another ticker took
    first is left to it; a schedule whose previous run is still under way skips the slot,
    and so does one whose manifest or options no longer read (each said in a log line)."""
    require_cron()  # missing, every cron would look bad: raised, no schedule turned off
    now = _now(now)
    started: list[int] = []
    for s in schedules.due(store, now):
        try:
            following = next_time(s.cron, now)
        except MLKaizenError as exc:  # only a store edited by hand holds a bad cron
            log.error("schedule %s: %s; it is turned off", s.name, exc)
            schedules.set_enabled(store, s.name, False, org_id=s.org_id)
            continue
        if not schedules.take_slot(store, s.id, s.next_at, following):
            continue  # another server (or Celery beat) took this slot
        run_id = _start(store, s, now)
        if run_id is None:
            continue
        schedules.mark_started(store, s.id, run_id)
        started.append(run_id)
        try:
            launch(run_id)
        except Exception as exc:  # the run is stored: `fleet scan --resume` finishes it
            log.error("schedule %s: run #%d could not be started (%s: %s); finish it with "
                      "`mlkaizen fleet scan --resume %d`", s.name, run_id,
                      type(exc).__name__, exc, run_id)
    return started


def _start(store: Store, s: schedules.Schedule, now: dt.datetime) -> int | None:
    """The slot's run, created; ``None`` (and a log line) when it is not to start."""
    if s.last_run_id is not None:
        try:
            previous = run_info(store, s.last_run_id)
        except MLKaizenError:  # the run was removed from the store
            previous = None
        if previous is not None and under_way(previous, now):
            log.warning("schedule %s: its run #%d is still under way; the slot of %s is "
                        "skipped", s.name, previous.id, f"{s.next_at:%Y-%m-%d %H:%M} UTC")
            return None
    try:
        where = s.options.get(MANIFEST_PATH)
        manifest = read_manifest(where if isinstance(where, str) else f"schedule {s.name}",
                                 s.manifest)
        options = FleetOptions.model_validate(s.options)
    except (MLKaizenError, ValidationError) as exc:
        log.error("schedule %s: %s; the slot is skipped", s.name, str(exc).splitlines()[0])
        return None
    for problem in manifest.problems:
        log.warning("%s", problem)
    if not manifest.entries:
        log.error("schedule %s: its manifest names no repository to assess; the slot is "
                  "skipped", s.name)
        return None
    run_id = start_run(store, manifest, f"schedule {s.name}", options, org_id=s.org_id)
    log.info("schedule %s: run #%d of %d repositories started", s.name, run_id,
             len(manifest.entries))
    return run_id
