"""A controller whose run was taken over (it went silent, and `--resume` elsewhere took the
run for abandoned) stops driving it, and leaves the run to the new one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlkaizen.errors import MLKaizenError
from mlkaizen.fleet.manifest import Entry, Manifest
from mlkaizen.fleet.options import FleetOptions
from mlkaizen.fleet.runner import drive, start_run
from mlkaizen.store import open_store
from mlkaizen.store.db import Store
from mlkaizen.store.fleet import RunInfo, run_info, take_controller
from tests.conftest import write_tree

ELSEWHERE = "other-host:4242"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'fleet.db'}")
    yield opened
    opened.close()


def _run(store: Store, tmp_path: Path) -> int:
    entries = [Entry(location=str(write_tree(tmp_path / f"r{i}", {"train.py": "import x\n"})),
                     kind="path") for i in range(2)]
    return start_run(store, Manifest(entries=entries, problems=[]), "repos.txt",
                     FleetOptions(workers=1, cache=str(tmp_path / "cache")))


def test_a_controller_whose_run_is_taken_over_stops_and_leaves_it(store: Store,
                                                                   tmp_path: Path) -> None:
    run_id = _run(store, tmp_path)
    seen: list[str | None] = []

    def taken_over(run: RunInfo) -> None:
        seen.append(run.controller)
        if len(seen) == 1:  # as `--resume` on another host does once this one looks gone
            take_controller(store, run_id, ELSEWHERE, stale_after=dt.timedelta(0))

    with pytest.raises(MLKaizenError) as stopped:
        drive(store, run_id, progress=taken_over)
    assert str(stopped.value) == (
        f"fleet run #{run_id} was taken over by {ELSEWHERE} process; this one stops driving it")
    assert len(seen) == 1
    run = run_info(store, run_id)
    assert (run.controller, run.finished_at) == (ELSEWHERE, None)  # the new one's, untouched


def test_a_controller_left_alone_drives_its_run_to_the_end(store: Store, tmp_path: Path
                                                           ) -> None:
    run_id = _run(store, tmp_path)
    run = drive(store, run_id)
    assert run.counts == {"pending": 0, "running": 0, "done": 2, "failed": 0}
    assert run.controller is None and run.finished_at is not None
