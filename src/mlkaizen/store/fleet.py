"""A fleet run's state: the run, one job per manifest entry, and what each job stored.

A job moves pending -> running (claimed, with a lease) -> done or failed; a failure with a
retry left goes back to pending with a time before which it is not started again. A job's
results (the repository's assessment and each sub-project's) are stored in the same
transaction that marks it done, and only if it is not done yet: whoever finishes a job
first stores it, exactly once, whatever was killed or retried on the way."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from mlkaizen.engine.model import Assessment
from mlkaizen.errors import MLKaizenError
from mlkaizen.store.db import Store
from mlkaizen.store.portfolio import utc
from mlkaizen.store.records import save_in
from mlkaizen.store.tables import DEFAULT_ORG_ID, FleetJobRow, FleetRunRow, SubjectRow

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
STATUSES = (PENDING, RUNNING, DONE, FAILED)
MAX_ID = 2**31 - 1  # the largest id every store holds (an INTEGER column of PostgreSQL)


@dataclass
class JobInfo:
    id: int
    run_id: int
    position: int
    entry: dict[str, Any]
    status: str
    attempts: int
    not_before: dt.datetime | None
    lease_until: dt.datetime | None
    worker: str | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    seconds: float | None
    error: str | None
    commit: str | None
    results: list[dict[str, Any]]


@dataclass
class RunInfo:
    id: int
    org_id: int
    created_at: dt.datetime
    finished_at: dt.datetime | None
    source: str
    executor: str
    options: dict[str, Any]
    problems: list[str]
    controller: str | None
    heartbeat_at: dt.datetime | None
    stopped: str | None
    driven_since: dt.datetime | None = None  # its start, or its last resumption
    counts: dict[str, int] = field(default_factory=dict)  # jobs by status

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def finished(self) -> bool:
        return self.counts.get(PENDING, 0) + self.counts.get(RUNNING, 0) == 0


@dataclass
class StoredSubject:
    """One assessment a job stores: the repository's, or one sub-project's (``parent`` is
    then the repository's key, stored first in the same job)."""

    key: str
    name: str
    assessment: Assessment
    parent: str | None = None
    team: str | None = None
    target: str | None = None  # a stage name


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


@contextlib.contextmanager
def _readable(run_id: int) -> Iterator[None]:
    """A run or job whose stored JSON no longer parses (the store was changed by other
    means) as a one-line error naming the run, not a crash."""
    try:
        yield
    except json.JSONDecodeError:
        raise MLKaizenError(
            f"fleet run #{run_id} holds data that is not valid JSON (was the store changed by "
            "other means?); start a new run"
        ) from None


def _job(row: FleetJobRow) -> JobInfo:
    # an entry or results of another shape read as none: the report shows the job by its id,
    # and a worker fails the job with the reason
    return JobInfo(
        id=row.id,
        run_id=row.run_id,
        position=row.position,
        entry=dict(row.entry) if isinstance(row.entry, dict) else {},
        status=row.status,
        attempts=row.attempts,
        not_before=utc(row.not_before),
        lease_until=utc(row.lease_until),
        worker=row.worker,
        started_at=utc(row.started_at),
        finished_at=utc(row.finished_at),
        seconds=row.seconds,
        error=row.error,
        commit=row.commit_sha,
        results=[r for r in row.results if isinstance(r, dict)]
        if isinstance(row.results, list) else [],
    )


def _run(session: Session, row: FleetRunRow) -> RunInfo:
    counts = dict.fromkeys(STATUSES, 0)
    for status, n in session.execute(
        select(FleetJobRow.status, func.count())
        .where(FleetJobRow.run_id == row.id)
        .group_by(FleetJobRow.status)
    ):
        counts[status] = n
    created = utc(row.created_at)
    assert created is not None
    if not isinstance(row.options, dict):
        raise MLKaizenError(f"fleet run #{row.id}: its stored options are not a mapping (was "
                            "the store changed by other means?); start a new run")
    return RunInfo(
        id=row.id,
        org_id=row.org_id,
        created_at=created,
        finished_at=utc(row.finished_at),
        source=row.source,
        executor=row.executor,
        options=dict(row.options),
        problems=[str(p) for p in row.problems] if isinstance(row.problems, list) else [],
        controller=row.controller,
        heartbeat_at=utc(row.heartbeat_at),
        stopped=row.stopped,
        driven_since=utc(row.driven_since),
        counts=counts,
    )


def create_run(
    store: Store,
    source: str,
    entries: list[dict[str, Any]],
    *,
    executor: str,
    options: dict[str, Any],
    problems: list[str],
    org_id: int = DEFAULT_ORG_ID,
    now: dt.datetime | None = None,
) -> int:
    """A new run with one pending job per entry (in manifest order); its id."""
    with store.session() as session:
        run = FleetRunRow(
            org_id=org_id,
            created_at=_now(now),
            source=source,
            executor=executor,
            options=options,
            problems=problems,
        )
        session.add(run)
        session.flush()
        session.add_all(
            FleetJobRow(run_id=run.id, position=n, entry=entry, status=PENDING, attempts=0)
            for n, entry in enumerate(entries)
        )
        return run.id


def _run_row(session: Session, run_id: int, org_id: int | None) -> FleetRunRow:
    # an id no store holds is not asked for (the database driver would refuse to send it)
    row = session.get(FleetRunRow, run_id) if 0 < run_id <= MAX_ID else None
    if row is None or (org_id is not None and row.org_id != org_id):
        raise MLKaizenError(f"no fleet run #{run_id} in this store (see `mlkaizen fleet status`)")
    return row


def run_info(store: Store, run_id: int, org_id: int | None = None) -> RunInfo:
    """The run with its jobs counted by status; an unknown run is a one-line error."""
    with _readable(run_id), store.reading() as session:
        return _run(session, _run_row(session, run_id, org_id))


def latest_run(store: Store, org_id: int | None = None) -> int | None:
    with store.reading() as session:
        query = select(func.max(FleetRunRow.id))
        if org_id is not None:
            query = query.where(FleetRunRow.org_id == org_id)
        return session.scalar(query)


def runs(store: Store, limit: int = 20, org_id: int | None = None) -> list[RunInfo]:
    """The newest runs first."""
    with store.reading() as session:
        query = select(FleetRunRow).order_by(FleetRunRow.id.desc()).limit(limit)
        if org_id is not None:
            query = query.where(FleetRunRow.org_id == org_id)
        return [_run(session, row) for row in session.scalars(query)]


def jobs(store: Store, run_id: int) -> list[JobInfo]:
    """Every job of the run, in manifest order."""
    with _readable(run_id), store.reading() as session:
        rows = session.scalars(
            select(FleetJobRow).where(FleetJobRow.run_id == run_id).order_by(FleetJobRow.position)
        )
        return [_job(row) for row in rows]


def take_controller(
    store: Store,
    run_id: int,
    who: str,
    *,
    stale_after: dt.timedelta,
    now: dt.datetime | None = None,
) -> None:
    """Make ``who`` (host:pid) the process that drives the run. Another controller that
    gave a heartbeat within ``stale_after`` still holds it: a one-line error. The caller
    checks first that a controller on this host is dead (:func:`mlkaizen.fleet` does)."""
    now = _now(now)
    with store.session() as session:
        row = _run_row(session, run_id, None)
        session.refresh(row, with_for_update=True)
        beat = utc(row.heartbeat_at)
        if (
            row.controller not in (None, who)
            and beat is not None
            and now - beat < stale_after
            and row.finished_at is None
        ):
            raise MLKaizenError(
                f"fleet run #{run_id} is being driven by {row.controller} (last seen "
                f"{int((now - beat).total_seconds())} s ago); stop it first, or wait"
            )
        row.controller, row.heartbeat_at, row.finished_at, row.stopped = who, now, None, None
        row.driven_since = now


def heartbeat(store: Store, run_id: int, who: str, now: dt.datetime | None = None) -> None:
    with store.session() as session:
        row = _run_row(session, run_id, None)
        if row.controller == who:
            row.heartbeat_at = _now(now)


def finish_run(
    store: Store, run_id: int, *, stopped: str | None = None, now: dt.datetime | None = None
) -> None:
    """The run's end (or, with ``stopped``, why it stopped before its end)."""
    with store.session() as session:
        row = _run_row(session, run_id, None)
        row.finished_at = None if stopped else _now(now)
        row.stopped = stopped
        row.controller, row.heartbeat_at = None, None


def stop_run(store: Store, run_id: int, reason: str) -> None:
    """Ask the run to stop (a worker found the disk full): its controller starts no more
    jobs, waits for those under way and ends, saying why. The first reason stands."""
    with store.session() as session:
        row = _run_row(session, run_id, None)
        if row.stopped is None:
            row.stopped = reason


def stop_reason(store: Store, run_id: int) -> str | None:
    """Why the run was asked to stop (:func:`stop_run`), if it was."""
    with store.reading() as session:
        return session.scalar(select(FleetRunRow.stopped).where(FleetRunRow.id == run_id))


def due_jobs(
    store: Store, run_id: int, *, limit: int, skip: set[int] | frozenset[int] = frozenset(),
    max_attempts: int | None = None, now: dt.datetime | None = None,
) -> list[JobInfo]:
    """Pending jobs whose backoff is over, in manifest order, at most ``limit``. With
    ``max_attempts``, not those that used them all (taken back from a lost worker on their
    last attempt): :func:`retried_out` fails them, they are not started again."""
    now = _now(now)
    with _readable(run_id), store.reading() as session:
        rows = session.scalars(
            select(FleetJobRow)
            .where(
                FleetJobRow.run_id == run_id,
                FleetJobRow.status == PENDING,
                or_(FleetJobRow.not_before.is_(None), FleetJobRow.not_before <= now),
                *([FleetJobRow.attempts < max_attempts] if max_attempts is not None else []),
            )
            .order_by(FleetJobRow.position)
            .limit(limit + len(skip))
        )
        return [_job(row) for row in rows if row.id not in skip][:limit]


def claim(
    store: Store, job_id: int, worker: str, *, lease: dt.timedelta, now: dt.datetime | None = None
) -> JobInfo | None:
    """Start the job for ``worker`` (one more attempt, leased until ``now + lease``), if it
    is pending and due, or running on a lease that ran out; ``None`` otherwise (done,
    failed, or another worker holds it)."""
    now = _now(now)
    with store.session() as session:
        row = session.get(FleetJobRow, job_id, with_for_update=True)
        if row is None:
            return None
        wait, lease_end = utc(row.not_before), utc(row.lease_until)
        free = row.status == PENDING and (wait is None or wait <= now)
        lapsed = row.status == RUNNING and lease_end is not None and lease_end < now
        if not (free or lapsed):
            return None
        row.status, row.worker = RUNNING, worker
        row.attempts += 1
        row.started_at, row.lease_until, row.not_before = now, now + lease, None
        return _job(row)


def complete(
    store: Store,
    job_id: int,
    subjects: list[StoredSubject],
    *,
    commit: str | None = None,
    commit_date: dt.datetime | None = None,
    seconds: float | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """Store the job's assessments and mark it done, in one transaction, unless it is done
    already (then nothing is stored: ``False``). A late finisher whose lease ran out still
    lands if nobody finished first."""
    now = _now(now)
    with store.session() as session:
        row = session.get(FleetJobRow, job_id, with_for_update=True)
        if row is None or row.status == DONE:
            return False
        run = session.get(FleetRunRow, row.run_id)
        assert run is not None
        ids: dict[str, int] = {}
        results: list[dict[str, Any]] = []
        for subject in subjects:
            parent_id = ids.get(subject.parent) if subject.parent else None

            def mark(s: SubjectRow, subject: StoredSubject = subject,
                     parent_id: int | None = parent_id) -> None:
                if subject.team is not None:
                    s.team = subject.team
                if subject.target is not None:
                    s.target = subject.target
                if parent_id is not None:
                    s.parent_id = parent_id

            saved = save_in(
                session,
                subject.assessment,
                key=subject.key,
                name=subject.name,
                origin="fleet",
                commit=commit,
                commit_date=commit_date,
                now=now,
                org_id=run.org_id,
                idempotency_key=f"fleet-run-{row.run_id}-job-{row.id}",
                on_subject=mark,
            )
            ids[subject.key] = saved.subject_id
            results.append(
                {
                    "subject_id": saved.subject_id,
                    "assessment_id": saved.id,
                    "key": subject.key,
                    "name": subject.name,
                    "parent": subject.parent,
                    "stage": subject.assessment.stage,
                    "stage_index": subject.assessment.stage_index,
                    "previous_stage_index": (
                        saved.previous.stage_index if saved.previous is not None else None
                    ),
                }
            )
        row.status, row.finished_at, row.seconds = DONE, now, seconds
        row.lease_until, row.error, row.commit_sha, row.results = None, None, commit, results
        return True


def fail(
    store: Store,
    job_id: int,
    worker: str | None,
    reason: str,
    *,
    retry_at: dt.datetime | None,
    now: dt.datetime | None = None,
) -> str | None:
    """Record a failed attempt of the job ``worker`` holds (``None``: whoever holds it, a
    worker that died): pending again from ``retry_at``, or failed for good (``retry_at``
    ``None``). The job's new status; ``None`` when the worker no longer holds it (another
    finished or took it over: nothing changes)."""
    with store.session() as session:
        row = session.get(FleetJobRow, job_id, with_for_update=True)
        if row is None or row.status != RUNNING or worker not in (None, row.worker):
            return None
        row.error, row.lease_until = reason[:2000], None
        if retry_at is None:
            row.status, row.finished_at = FAILED, _now(now)
        else:
            row.status, row.not_before = PENDING, retry_at
        return row.status


def release(store: Store, job_id: int, worker: str) -> bool:
    """Put a job ``worker`` holds back to pending without counting the attempt (the run
    stops before it, e.g. on a full disk)."""
    with store.session() as session:
        row = session.get(FleetJobRow, job_id, with_for_update=True)
        if row is None or row.status != RUNNING or row.worker != worker:
            return False
        row.status, row.lease_until = PENDING, None
        row.attempts = max(0, row.attempts - 1)
        return True


def requeue_running(
    store: Store, run_id: int, *, only_lapsed: bool, now: dt.datetime | None = None
) -> int:
    """Running jobs of the run back to pending: all of them (their workers died with the
    controller) or, with ``only_lapsed``, those whose lease ran out (a lost worker). The
    attempt counts; the number requeued."""
    now = _now(now)
    n = 0
    with store.session() as session:
        rows = session.scalars(
            select(FleetJobRow)
            .where(FleetJobRow.run_id == run_id, FleetJobRow.status == RUNNING)
            .with_for_update()
        )
        for row in rows:
            lease_end = utc(row.lease_until)
            if only_lapsed and (lease_end is None or lease_end >= now):
                continue
            row.status, row.lease_until = PENDING, None
            row.error = row.error or "the worker was lost before the job ended"
            n += 1
    return n


def retried_out(store: Store, run_id: int, max_attempts: int,
                now: dt.datetime | None = None) -> int:
    """Pending jobs that have used every attempt (lost with their workers each time): failed
    for good with their last reason; the number."""
    n = 0
    with store.session() as session:
        rows = session.scalars(
            select(FleetJobRow).where(
                FleetJobRow.run_id == run_id,
                FleetJobRow.status == PENDING,
                FleetJobRow.attempts >= max_attempts,
            )
            .with_for_update()  # a worker's claim of one of them waits, then finds it failed
        )
        for row in rows:
            row.status, row.finished_at = FAILED, _now(now)
            row.error = row.error or "no attempt left"
            n += 1
    return n


def lapsed(store: Store, run_id: int, now: dt.datetime | None = None) -> list[int]:
    """The run's running jobs whose lease ran out (their worker is lost or stuck)."""
    now = _now(now)
    with store.reading() as session:
        rows = session.execute(
            select(FleetJobRow.id, FleetJobRow.lease_until).where(
                FleetJobRow.run_id == run_id, FleetJobRow.status == RUNNING
            )
        )
        return [job_id for job_id, lease in rows if (utc(lease) or now) < now]


def job_attempts(store: Store, job_ids: list[int]) -> dict[int, tuple[str, int]]:
    """Each job's status and attempts so far (one query): how a remote executor sees that a
    job whose task says nothing ended, or was taken back and tried again."""
    if not job_ids:
        return {}
    with store.reading() as session:
        rows = session.execute(
            select(FleetJobRow.id, FleetJobRow.status, FleetJobRow.attempts).where(
                FleetJobRow.id.in_(job_ids)
            )
        )
        return {job_id: (status, attempts) for job_id, status, attempts in rows}
