"""A fleet run read back from a store that holds what MLKaizen never writes (a run id no
database holds, JSON changed by other means): a one-line error naming the run, or the run
reported with what can be read; never a crash."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from mlkaizen.errors import MLKaizenError
from mlkaizen.fleet.runner import drive
from mlkaizen.fleet.summary import build
from mlkaizen.store import open_store
from mlkaizen.store.db import Store
from mlkaizen.store.fleet import MAX_ID, create_run, jobs, run_info
from tests.store.conftest import db_url  # noqa: F401 - the fixture, re-exported

ENTRY = {"location": "/nowhere/repo", "kind": "path", "line": 1}


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:  # noqa: F811 - the fixture above
    s = open_store(db_url)
    yield s
    s.close()


def _run(store: Store, entries: int = 2) -> int:
    return create_run(store, "repos.txt", [dict(ENTRY, line=n + 1) for n in range(entries)],
                      executor="local", options={"workers": 1}, problems=[])


def _sql(store: Store, statement: str) -> None:
    with store.session() as session:
        session.execute(text(statement))


@pytest.mark.parametrize("run_id", [MAX_ID + 1, 2**70, 0, -1])
def test_a_run_id_no_store_holds_is_an_unknown_run(store: Store, run_id: int) -> None:
    _run(store)
    with pytest.raises(MLKaizenError, match=rf"^no fleet run #{run_id} in this store"):
        run_info(store, run_id)


def test_the_largest_run_id_is_looked_up_like_any_other(store: Store) -> None:
    """Near miss: the last id a store may hold is asked for, and is simply not there."""
    first = _run(store)
    assert run_info(store, first).id == first
    with pytest.raises(MLKaizenError, match=rf"^no fleet run #{MAX_ID} in this store"):
        run_info(store, MAX_ID)


def test_fleet_report_of_a_huge_run_id_says_so_in_one_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    for words in (["report", "99999999999999999999"], ["status", "99999999999999999999"],
                  ["scan", "--resume", "99999999999999999999"]):
        proc = subprocess.run([sys.executable, "-m", "mlkaizen", "fleet", *words, "--db", db],
                              capture_output=True, text=True, check=False)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr == ("mlkaizen: error: no fleet run #99999999999999999999 in this "
                               "store (see `mlkaizen fleet status`)\n")


@pytest.mark.parametrize("stored", ["null", "[1, 2]", '"text"', "7"])
def test_a_job_entry_of_another_shape_is_reported_by_its_job(store: Store, stored: str) -> None:
    run_id = _run(store)
    _sql(store, f"UPDATE fleet_jobs SET entry = '{stored}', results = '{stored}' "
                f"WHERE run_id = {run_id} AND position = 0")
    found = jobs(store, run_id)
    assert [(j.entry, j.results) for j in found] == [({}, []), (dict(ENTRY, line=2), [])]
    summary = build(store, run_id)
    assert [r.location for r in summary.repositories] == [f"job {found[0].id}", "/nowhere/repo"]


def test_a_job_entry_that_is_not_json_is_one_line_naming_the_run(tmp_path: Path) -> None:
    """SQLite keeps any text in a JSON column (PostgreSQL refuses it when written)."""
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    run_id = _run(store)
    _sql(store, f"UPDATE fleet_jobs SET entry = '{{bad json' WHERE run_id = {run_id}")
    message = f"^fleet run #{run_id} holds data that is not valid JSON"
    for read in (lambda: jobs(store, run_id), lambda: build(store, run_id),
                 lambda: drive(store, run_id, resume=True)):
        with pytest.raises(MLKaizenError, match=message):
            read()
    other = _run(store)  # another run of the same store stands
    assert run_info(store, other).total == 2
    store.close()


def test_options_that_are_not_a_mapping_are_one_line(store: Store) -> None:
    run_id = _run(store)
    _sql(store, f"UPDATE fleet_runs SET options = '7' WHERE id = {run_id}")
    with pytest.raises(MLKaizenError, match=rf"^fleet run #{run_id}: its stored options are "
                                            "not a mapping"):
        run_info(store, run_id)


def test_an_invalid_stored_option_refuses_the_resume_but_not_the_report(store: Store) -> None:
    run_id = _run(store)
    _sql(store, f"""UPDATE fleet_runs SET options = '{{"workers": "x"}}', problems = '{{"a": 1}}'
                    WHERE id = {run_id}""")
    assert run_info(store, run_id).problems == []
    assert len(build(store, run_id).repositories) == 2
    with pytest.raises(MLKaizenError, match=rf"^fleet run #{run_id}: its stored option workers "
                                            "is not valid"):
        drive(store, run_id, resume=True)
    assert run_info(store, run_id).controller is None  # refused before it was taken
