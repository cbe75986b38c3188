"""A ticker without the cron reader installed (a Celery beat worker installed without the
server extra) says so, and leaves every schedule as it was."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlkaizen.errors import MLKaizenError
from mlkaizen.fleet.options import FleetOptions
from mlkaizen.fleet.schedule import add_schedule, tick
from mlkaizen.store import schedules
from mlkaizen.store.db import Store, open_store
from mlkaizen.store.fleet import latest_run

MANIFEST = "/srv/repos/churn\n"
ADDED = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
DUE = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    add_schedule(s, "nightly", "0 3 * * *", MANIFEST, FleetOptions(), now=ADDED)
    yield s
    s.close()


def test_a_tick_without_the_cron_reader_fails_and_turns_no_schedule_off(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "cronsim", None)  # as if it were not installed
    launched: list[int] = []
    with pytest.raises(MLKaizenError) as missing:
        tick(store, launched.append, now=DUE)
    assert str(missing.value) == (
        "scan schedules need the cron reader: pip install 'mlkaizen[server]' (or "
        "'mlkaizen[celery]' for Celery beat)")
    s = schedules.get(store, "nightly")
    assert s is not None and s.enabled and s.next_at == DUE  # still due, still on
    assert launched == [] and latest_run(store) is None


def test_with_the_cron_reader_the_same_tick_starts_the_run(store: Store) -> None:
    launched: list[int] = []
    assert tick(store, launched.append, now=DUE) == launched == [latest_run(store)]
    s = schedules.get(store, "nightly")
    assert s is not None and s.enabled and s.next_at == DUE + dt.timedelta(days=1)
