"""Scan schedules: the cron's next slot, schedules fired by `tick` once per slot (whoever
else ticks at the same time), skipped while their run is under way, and turned off."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlkaizen.errors import MLKaizenError
from mlkaizen.fleet.options import FleetOptions
from mlkaizen.fleet.schedule import add_schedule, enable, next_time, tick, under_way
from mlkaizen.store import schedules
from mlkaizen.store.db import Store, open_store
from mlkaizen.store.fleet import (
    claim,
    complete,
    finish_run,
    heartbeat,
    jobs,
    run_info,
    take_controller,
)
from tests.store.conftest import db_url  # noqa: F401 - the fixture, re-exported

UTC = dt.UTC
MANIFEST = "/srv/repos/churn\n/srv/repos/fraud\n"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    yield s
    s.close()


class Launched(list[int]):
    def __call__(self, run_id: int) -> None:
        self.append(run_id)


# -- the cron ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("cron", "after", "expected"), [
    ("0 3 * * *", "2026-01-01 02:59", "2026-01-01 03:00"),
    # strictly after: a slot is never its own next one, nor is the same minute a second later
    ("0 3 * * *", "2026-01-01 03:00", "2026-01-02 03:00"),
    ("0 3 * * *", "2026-01-01 03:00:30", "2026-01-02 03:00"),
    ("*/15 * * * *", "2026-01-01 10:14:59", "2026-01-01 10:15"),
    ("0 9 * * 1", "2026-01-04 12:00", "2026-01-05 09:00"),  # Sunday -> Monday
    ("30 2 1 * *", "2026-01-31 00:00", "2026-02-01 02:30"),
    ("  0   3 * * *  ", "2026-01-01 02:00", "2026-01-01 03:00"),  # spaces are not fields
])
def test_next_time_is_the_first_slot_strictly_after(cron: str, after: str,
                                                    expected: str) -> None:
    assert next_time(cron, at(after)) == at(expected)


def test_next_time_reads_the_cron_in_utc() -> None:
    # 04:30 at UTC+2 is 02:30 UTC: the 03:00 UTC slot is the next, not the next day's
    local = dt.datetime(2026, 1, 1, 4, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert next_time("0 3 * * *", local) == at("2026-01-01 03:00")
    assert next_time("0 3 * * *", local).tzinfo == UTC


EXPECTED = ('expected five fields in UTC: minute hour day-of-month month day-of-week, '
            'e.g. "0 3 * * *"')


@pytest.mark.parametrize(("cron", "message"), [
    ("0 3 * *", f"cron '0 3 * *': 4 fields; {EXPECTED}"),
    ("0 0 3 * * *", f"cron '0 0 3 * * *': 6 fields; {EXPECTED}"),  # no seconds field
    ("@daily", f"cron '@daily': 1 fields; {EXPECTED}"),
    ("", f"cron '': 0 fields; {EXPECTED}"),
    ("61 * * * *", f"cron '61 * * * *': bad minute; {EXPECTED}"),
    ("0 24 * * *", f"cron '0 24 * * *': bad hour; {EXPECTED}"),
    ("0 3 31 2 *", f"cron '0 3 31 2 *': bad day-of-month; {EXPECTED}"),
    ("a b c d e", f"cron 'a b c d e': bad minute; {EXPECTED}"),
])
def test_a_bad_cron_is_one_clear_line(cron: str, message: str) -> None:
    with pytest.raises(MLKaizenError) as err:
        next_time(cron, at("2026-01-01 00:00"))
    assert str(err.value) == message
    assert "\n" not in str(err.value)


# -- adding -----------------------------------------------------------------------------------


def test_a_schedule_first_fires_at_the_next_slot(store: Store) -> None:
    s = add_schedule(store, "nightly", "0 3 * * *", MANIFEST, FleetOptions(workers=3),
                     now=at("2026-03-01 12:00"))
    assert (s.name, s.cron, s.manifest, s.enabled, s.next_at, s.last_run_id) == (
        "nightly", "0 3 * * *", MANIFEST, True, at("2026-03-02 03:00"), None)
    assert s.options["workers"] == 3 and s.options["executor"] == "local"
    assert [x.name for x in schedules.schedules(store)] == ["nightly"]
    with pytest.raises(MLKaizenError, match="already a schedule named 'nightly'"):
        add_schedule(store, "nightly", "0 4 * * *", MANIFEST, FleetOptions())
    with pytest.raises(MLKaizenError, match="schedule name 'night ly'"):
        add_schedule(store, "night ly", "0 4 * * *", MANIFEST, FleetOptions())
    with pytest.raises(MLKaizenError, match="bad hour"):
        add_schedule(store, "other", "0 25 * * *", MANIFEST, FleetOptions())
    assert [x.name for x in schedules.schedules(store)] == ["nightly"]  # nothing half-added


# -- firing -----------------------------------------------------------------------------------


def test_tick_starts_one_run_per_slot(store: Store) -> None:
    add_schedule(store, "nightly", "0 3 * * *", MANIFEST, FleetOptions(workers=3),
                 now=at("2026-03-01 12:00"))
    launched = Launched()
    assert tick(store, launched, now=at("2026-03-02 02:59")) == []  # a minute early
    started = tick(store, launched, now=at("2026-03-02 03:00"))
    assert len(started) == 1 and launched == started
    run = run_info(store, started[0])
    assert (run.source, run.executor, run.options["workers"], run.total) == (
        "schedule nightly", "local", 3, 2)
    assert [j.entry["location"] for j in jobs(store, run.id)] == [
        "/srv/repos/churn", "/srv/repos/fraud"]
    s = schedules.get(store, "nightly")
    assert s is not None and (s.next_at, s.last_run_id) == (at("2026-03-03 03:00"), run.id)
    # the same slot ticked again (the next tick of the same server, or another server)
    assert tick(store, launched, now=at("2026-03-02 03:00")) == []
    assert tick(store, launched, now=at("2026-03-02 03:00:30")) == []
    assert launched == started


def test_a_server_down_for_days_starts_one_run_not_one_per_missed_slot(store: Store) -> None:
    add_schedule(store, "hourly", "0 * * * *", MANIFEST, FleetOptions(),
                 now=at("2026-03-01 12:00"))
    launched = Launched()
    assert len(tick(store, launched, now=at("2026-03-04 09:17"))) == 1
    s = schedules.get(store, "hourly")
    assert s is not None and s.next_at == at("2026-03-04 10:00")
    assert tick(store, launched, now=at("2026-03-04 09:59")) == []
    assert len(launched) == 1


def test_a_disabled_schedule_does_not_fire_and_resumes_at_its_next_slot(store: Store) -> None:
    add_schedule(store, "nightly", "0 3 * * *", MANIFEST, FleetOptions(),
                 now=at("2026-03-01 12:00"))
    assert enable(store, "nightly", False)
    launched = Launched()
    assert tick(store, launched, now=at("2026-03-05 03:00")) == []
    assert enable(store, "nightly", True, now=at("2026-03-05 04:00"))
    s = schedules.get(store, "nightly")
    assert s is not None and s.enabled and s.next_at == at("2026-03-06 03:00")
    assert tick(store, launched, now=at("2026-03-05 04:00")) == []  # the off days are not made up
    assert len(tick(store, launched, now=at("2026-03-06 03:00"))) == 1
    assert not enable(store, "weekly", True)  # near miss: no such schedule


def test_a_schedule_waits_for_its_run_under_way(store: Store,
                                                caplog: pytest.LogCaptureFixture) -> None:
    add_schedule(store, "often", "*/5 * * * *", MANIFEST, FleetOptions(),
                 now=at("2026-03-01 12:00"))
    launched = Launched()
    first = tick(store, launched, now=at("2026-03-01 12:05"))
    assert len(first) == 1
    take_controller(store, first[0], "host:1", stale_after=dt.timedelta(seconds=60),
                    now=at("2026-03-01 12:05"))
    heartbeat(store, first[0], "host:1", now=at("2026-03-01 12:09:30"))
    with caplog.at_level(logging.WARNING, logger="mlkaizen.fleet.schedule"):
        assert tick(store, launched, now=at("2026-03-01 12:10")) == []
    assert (f"schedule often: its run #{first[0]} is still under way; the slot of "
            "2026-03-01 12:10 UTC is skipped") in caplog.messages
    s = schedules.get(store, "often")
    assert s is not None and s.next_at == at("2026-03-01 12:15")  # the slot is gone, not held
    # the run ends: the next slot starts a new one
    for job in jobs(store, first[0]):
        assert claim(store, job.id, "w", lease=dt.timedelta(minutes=5)) is not None
        assert complete(store, job.id, [])
    finish_run(store, first[0], now=at("2026-03-01 12:14"))
    second = tick(store, launched, now=at("2026-03-01 12:15"))
    assert len(second) == 1 and second != first


def test_a_run_whose_server_died_is_not_waited_for(store: Store) -> None:
    add_schedule(store, "often", "*/5 * * * *", MANIFEST, FleetOptions(),
                 now=at("2026-03-01 12:00"))
    launched = Launched()
    first = tick(store, launched, now=at("2026-03-01 12:05"))
    take_controller(store, first[0], "host:1", stale_after=dt.timedelta(seconds=60),
                    now=at("2026-03-01 12:05"))
    # its last heartbeat 5 minutes ago: the controller is gone
    second = tick(store, launched, now=at("2026-03-01 12:10"))
    assert len(second) == 1 and second != first


def test_under_way_needs_a_recent_heartbeat(store: Store) -> None:
    add_schedule(store, "often", "*/5 * * * *", MANIFEST, FleetOptions(),
                 now=at("2026-03-01 12:00"))
    (run_id,) = tick(store, Launched(), now=at("2026-03-01 12:05"))
    created = run_info(store, run_id).created_at
    # never taken up yet: created a moment ago is under way, a minute ago is not
    assert under_way(run_info(store, run_id), created + dt.timedelta(seconds=59))
    assert not under_way(run_info(store, run_id), created + dt.timedelta(seconds=60))
    finish_run(store, run_id, stopped="the disk is full")
    assert not under_way(run_info(store, run_id), created)  # stopped: not waited for


def test_a_launch_that_fails_leaves_the_run_to_resume(store: Store,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    add_schedule(store, "nightly", "0 3 * * *", MANIFEST, FleetOptions(),
                 now=at("2026-03-01 12:00"))

    def broken(run_id: int) -> None:
        raise ConnectionError("the broker is away")

    with caplog.at_level(logging.ERROR, logger="mlkaizen.fleet.schedule"):
        (run_id,) = tick(store, broken, now=at("2026-03-02 03:00"))
    assert (f"schedule nightly: run #{run_id} could not be started (ConnectionError: the "
            f"broker is away); finish it with `mlkaizen fleet scan --resume {run_id}`"
            ) in caplog.messages
    assert run_info(store, run_id).counts["pending"] == 2


def test_a_manifest_that_names_nothing_skips_the_slot(store: Store,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    add_schedule(store, "empty", "0 3 * * *", "# nothing yet\n", FleetOptions(),
                 now=at("2026-03-01 12:00"))
    with caplog.at_level(logging.ERROR, logger="mlkaizen.fleet.schedule"):
        assert tick(store, Launched(), now=at("2026-03-02 03:00")) == []
    assert ("schedule empty: its manifest names no repository to assess; the slot is skipped"
            in caplog.messages)
    s = schedules.get(store, "empty")
    assert s is not None and s.next_at == at("2026-03-03 03:00") and s.last_run_id is None


def test_two_tickers_at_once_start_each_slot_once(db_url: str) -> None:  # noqa: F811
    first, second = open_store(db_url), open_store(db_url)
    try:
        for n in range(6):
            add_schedule(first, f"s{n}", "0 3 * * *", MANIFEST, FleetOptions(),
                         now=at("2026-03-01 12:00"))
        barrier = threading.Barrier(2)
        started: dict[str, list[int]] = {}
        errors: list[BaseException] = []

        def ticker(name: str, store: Store) -> None:
            try:
                barrier.wait()
                started[name] = tick(store, Launched(), now=at("2026-03-02 03:00"))
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=ticker, args=(n, s))
                   for n, s in (("a", first), ("b", second))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        runs = started["a"] + started["b"]
        assert len(runs) == 6 and len(set(runs)) == 6  # each slot started once, by one of them
        assert sorted(s.last_run_id or 0 for s in schedules.schedules(first)) == sorted(runs)
        from sqlalchemy import func, select

        from mlkaizen.store.tables import FleetRunRow

        with first.session() as session:
            assert session.scalar(select(func.count()).select_from(FleetRunRow)) == 6
    finally:
        first.close()
        second.close()


def test_a_slot_read_by_two_is_taken_by_the_first_only(store: Store, tmp_path: Path) -> None:
    add_schedule(store, "nightly", "0 3 * * *", MANIFEST, FleetOptions(),
                 now=at("2026-03-01 12:00"))
    other = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        (mine,) = schedules.due(store, at("2026-03-02 03:00"))
        (theirs,) = schedules.due(other, at("2026-03-02 03:00"))
        assert mine.next_at == theirs.next_at == at("2026-03-02 03:00")
        assert schedules.take_slot(store, mine.id, mine.next_at, at("2026-03-03 03:00"))
        # what the other read is stale now: its conditional update finds nothing to move
        assert not schedules.take_slot(other, theirs.id, theirs.next_at, at("2026-03-03 03:00"))
        assert schedules.due(other, at("2026-03-02 03:00")) == []
        # near miss: a disabled schedule's slot is not taken either
        assert schedules.set_enabled(store, "nightly", False)
        assert not schedules.take_slot(store, mine.id, at("2026-03-03 03:00"),
                                       at("2026-03-04 03:00"))
    finally:
        other.close()
