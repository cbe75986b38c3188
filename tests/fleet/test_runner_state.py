"""The state of a fleet run in the store: claims and leases, failures and retries, and a job's
results stored exactly once, whoever finishes it and however often."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

import mlkaizen
from mlkaizen.engine.model import Assessment
from mlkaizen.errors import MLKaizenError
from mlkaizen.fleet.options import MAX_BACKOFF, FleetOptions
from mlkaizen.store import open_store
from mlkaizen.store.db import Store
from mlkaizen.store.fleet import (
    DONE,
    FAILED,
    PENDING,
    RUNNING,
    StoredSubject,
    claim,
    complete,
    create_run,
    due_jobs,
    fail,
    jobs,
    release,
    requeue_running,
    retried_out,
    run_info,
    take_controller,
)
from mlkaizen.store.tables import AssessmentRow, SubjectRow
from tests.conftest import write_tree
from tests.store.conftest import db_url  # noqa: F401 - the fixture, re-exported

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(minutes=5)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:  # noqa: F811 - the fixture above
    s = open_store(db_url)
    yield s
    s.close()


@pytest.fixture(scope="module")
def assessed(tmp_path_factory: pytest.TempPathFactory) -> Assessment:
    root = write_tree(tmp_path_factory.mktemp("repo"), {
        "train.py": "import mlflow\nmlflow.log_metric('auc', 0.9)\n",
        "requirements.txt": "mlflow==2.14\n",
    })
    return mlkaizen.assess(root)


def _run(store: Store, n: int = 2) -> list[int]:
    entries = [{"location": f"/repos/r{i}", "kind": "path", "line": i + 1} for i in range(n)]
    run_id = create_run(store, "repos.txt", entries, executor="local", options={},
                        problems=[], now=T0)
    return [j.id for j in jobs(store, run_id)]


def _assessments(store: Store) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(AssessmentRow)) or 0)


def test_a_pending_job_is_claimed_once_and_held_for_its_lease(store: Store) -> None:
    job, _ = _run(store)
    got = claim(store, job, "w1", lease=LEASE, now=T0)
    assert got is not None and (got.status, got.attempts, got.worker) == (RUNNING, 1, "w1")
    assert got.lease_until == T0 + LEASE
    assert claim(store, job, "w2", lease=LEASE, now=T0 + LEASE) is None  # to the second: held
    taken = claim(store, job, "w2", lease=LEASE, now=T0 + LEASE + dt.timedelta(seconds=1))
    assert taken is not None and (taken.worker, taken.attempts) == ("w2", 2)


def test_a_job_in_backoff_is_not_due_until_its_time(store: Store) -> None:
    job, other = _run(store)
    claim(store, job, "w1", lease=LEASE, now=T0)
    retry = T0 + dt.timedelta(seconds=30)
    assert fail(store, job, "w1", "clone failed", retry_at=retry, now=T0) == PENDING
    run_id = jobs(store, _run_id(store, job))[0].run_id
    assert [j.id for j in due_jobs(store, run_id, limit=5, now=T0)] == [other]
    assert claim(store, job, "w1", lease=LEASE, now=retry - dt.timedelta(seconds=1)) is None
    assert [j.id for j in due_jobs(store, run_id, limit=5, now=retry)] == [job, other]
    assert [j.id for j in due_jobs(store, run_id, limit=1, now=retry)] == [job]
    assert [j.id for j in due_jobs(store, run_id, limit=5, skip={job}, now=retry)] == [other]
    again = claim(store, job, "w1", lease=LEASE, now=retry)
    assert again is not None and again.attempts == 2 and again.error == "clone failed"


def _run_id(store: Store, job_id: int) -> int:
    from mlkaizen.store.tables import FleetJobRow

    with store.session() as session:
        row = session.get(FleetJobRow, job_id)
        assert row is not None
        return row.run_id


def test_a_failure_without_a_retry_is_final_and_only_the_holder_records_it(store: Store) -> None:
    job, _ = _run(store)
    claim(store, job, "w1", lease=LEASE, now=T0)
    assert fail(store, job, "w2", "not mine", retry_at=None) is None  # another worker: nothing
    assert fail(store, job, "w1", "no such folder", retry_at=None, now=T0) == FAILED
    (row, _) = jobs(store, _run_id(store, job))
    assert (row.status, row.error, row.finished_at) == (FAILED, "no such folder", T0)
    assert claim(store, job, "w1", lease=LEASE, now=T0 + LEASE * 2) is None  # never again


def test_results_are_stored_once_whoever_finishes_first(store: Store, assessed: Assessment
                                                         ) -> None:
    job, _ = _run(store)
    claim(store, job, "w1", lease=LEASE, now=T0)
    late = T0 + LEASE + dt.timedelta(seconds=1)
    assert claim(store, job, "w2", lease=LEASE, now=late) is not None  # w1's lease lapsed
    subject = [StoredSubject("/repos/r0", "r0", assessed, team="risk", target="Manual MLOps")]
    assert complete(store, job, subject, commit="a" * 40, seconds=1.5, now=late) is True
    assert complete(store, job, subject, commit="a" * 40, seconds=9.0, now=late) is False
    assert fail(store, job, "w1", "late failure", retry_at=None) is None  # done stays done
    (row, _) = jobs(store, _run_id(store, job))
    assert (row.status, row.seconds, row.commit, row.error) == (DONE, 1.5, "a" * 40, None)
    assert [(r["key"], r["stage"], r["previous_stage_index"]) for r in row.results] == [
        ("/repos/r0", assessed.stage, None)]
    assert _assessments(store) == 1
    with store.session() as session:
        s = session.scalars(select(SubjectRow)).one()
        assert (s.key, s.team, s.target, s.parent_id) == ("/repos/r0", "risk", "Manual MLOps",
                                                         None)


def test_a_monorepo_job_stores_its_parts_under_the_repository(store: Store,
                                                              assessed: Assessment) -> None:
    job, _ = _run(store)
    claim(store, job, "w1", lease=LEASE, now=T0)
    subjects = [
        StoredSubject("/repos/mono", "mono", assessed),
        StoredSubject("/repos/mono#churn", "mono:churn", assessed, parent="/repos/mono"),
        StoredSubject("/repos/mono#fraud", "mono:fraud", assessed, parent="/repos/mono"),
    ]
    assert complete(store, job, subjects, now=T0)
    with store.session() as session:
        rows = {s.key: s for s in session.scalars(select(SubjectRow))}
    parent = rows["/repos/mono"].id
    assert rows["/repos/mono"].parent_id is None
    assert [rows[k].parent_id for k in ("/repos/mono#churn", "/repos/mono#fraud")] == [parent] * 2
    assert _assessments(store) == 3


def test_a_second_run_stores_again_and_knows_the_previous_stage(store: Store,
                                                               assessed: Assessment) -> None:
    for _ in range(2):
        job, _other = _run(store)
        claim(store, job, "w1", lease=LEASE, now=T0)
        complete(store, job, [StoredSubject("/repos/r0", "r0", assessed)], now=T0)
    (row, _) = jobs(store, _run_id(store, job))
    assert row.results[0]["previous_stage_index"] == assessed.stage_index
    assert _assessments(store) == 2  # one per run: the same subject, assessed twice


def test_lost_jobs_are_requeued_and_given_up_when_out_of_attempts(store: Store) -> None:
    a, b = _run(store)
    run_id = _run_id(store, a)
    claim(store, a, "w1", lease=LEASE, now=T0)
    claim(store, b, "w2", lease=dt.timedelta(hours=1), now=T0)
    later = T0 + LEASE + dt.timedelta(seconds=1)
    assert requeue_running(store, run_id, only_lapsed=True, now=later) == 1
    assert [j.status for j in jobs(store, run_id)] == [PENDING, RUNNING]
    assert requeue_running(store, run_id, only_lapsed=False, now=later) == 1
    assert [j.status for j in jobs(store, run_id)] == [PENDING, PENDING]
    assert retried_out(store, run_id, max_attempts=1) == 2  # each used its one attempt
    rows = jobs(store, run_id)
    assert [(j.status, j.error) for j in rows] == [
        (FAILED, "the worker was lost before the job ended")] * 2
    assert run_info(store, run_id).counts == {PENDING: 0, RUNNING: 0, DONE: 0, FAILED: 2}


def test_a_released_job_does_not_spend_an_attempt(store: Store) -> None:
    job, _ = _run(store)
    claim(store, job, "w1", lease=LEASE, now=T0)
    assert release(store, job, "w2") is False
    assert release(store, job, "w1") is True
    (row, _) = jobs(store, _run_id(store, job))
    assert (row.status, row.attempts) == (PENDING, 0)


def test_a_live_controller_keeps_its_run(store: Store) -> None:
    job, _ = _run(store)
    run_id = _run_id(store, job)
    take_controller(store, run_id, "host:1", stale_after=dt.timedelta(minutes=1), now=T0)
    with pytest.raises(MLKaizenError, match=r"being driven by host:1 \(last seen 30 s ago\)"):
        take_controller(store, run_id, "host:2", stale_after=dt.timedelta(minutes=1),
                        now=T0 + dt.timedelta(seconds=30))
    take_controller(store, run_id, "host:2", stale_after=dt.timedelta(minutes=1),
                    now=T0 + dt.timedelta(minutes=2))  # silent for two minutes: gone
    assert run_info(store, run_id).controller == "host:2"


def test_an_unknown_run_is_one_line(store: Store) -> None:
    with pytest.raises(MLKaizenError, match=r"^no fleet run #42 in this store"):
        run_info(store, 42)


def test_the_backoff_doubles_with_a_bounded_jitter_and_a_cap() -> None:
    options = FleetOptions(retry_delay=5, cache="unused")
    assert [options.backoff(n, 0.0) for n in (1, 2, 3, 4)] == [5.0, 10.0, 20.0, 40.0]
    assert options.backoff(1, 0.999) == pytest.approx(5 * 1.24975)
    assert options.backoff(30, 0.0) == MAX_BACKOFF
    assert FleetOptions(retries=0, cache="unused").attempts == 1


def test_sub_paths_and_refs_key_the_subject(tmp_path: Path) -> None:
    from mlkaizen.fleet.manifest import Entry, part_key, part_name

    local = Entry(location=str(tmp_path), kind="path")
    assert (local.key, local.name) == (str(tmp_path.resolve()), tmp_path.name)
    sub = Entry(location=str(tmp_path), kind="path", subpath="svc/model")
    assert sub.key == str((tmp_path / "svc" / "model").resolve())
    url = Entry(location="git@github.com:org/fraud.git", kind="git", ref="main", subpath="ml")
    assert (url.key, url.name) == ("git@github.com:org/fraud.git@main//ml", "fraud/ml@main")
    assert part_key(url.key, "churn") == "git@github.com:org/fraud.git@main//ml#churn"
    assert part_name("fraud", "churn") == "fraud:churn"
