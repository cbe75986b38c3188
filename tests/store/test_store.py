"""The store on SQLite and PostgreSQL: migrations from empty, immutable assessments, logs,
diffs, errors that name the store, concurrent writers, and plans closed by evidence."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from mlkaizen.api import assess
from mlkaizen.engine.model import Assessment
from mlkaizen.errors import MLKaizenError
from mlkaizen.store import open_store
from mlkaizen.store import plans as plan_store
from mlkaizen.store.diff import compare
from mlkaizen.store.migrate import head
from mlkaizen.store.records import get, log, save
from mlkaizen.store.tables import AssessmentRow, PracticeRow
from tests.conftest import write_tree

TRACK = "model.experiment-tracking"
TRAIN = 'import mlflow\nmlflow.log_metric("auc", 0.9)\n'
KNOWN = {TRACK, "model.registry", "data.access-control"}
TODAY = dt.date(2026, 6, 1)


def _assess(root: Path, files: dict[str, str]) -> Assessment:
    root.mkdir(parents=True)
    write_tree(root, files)
    return assess(root, sub_projects=False)


@pytest.fixture(scope="module")
def assessments(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Assessment]:
    base = tmp_path_factory.mktemp("subjects")
    attest = (
        "attest:\n  model.experiment-tracking: {answer: yes, by: maria, date: 2026-01-10}\n"
    )
    na = "not_applicable:\n  model.experiment-tracking: {reason: no models trained here}\n"
    return {
        "without": _assess(base / "a", {"README.md": "# x\n"}),
        "with": _assess(base / "b", {"train.py": TRAIN}),
        "attested": _assess(base / "c", {".mlkaizen.yaml": attest}),
        "configured": _assess(base / "d", {".mlkaizen.yaml": na}),
    }


def _save(url: str, a: Assessment, commit: str | None = None, key: str = "/repo") -> int:
    store = open_store(url)
    try:
        return save(store, a, key=key, name="repo", commit=commit).id
    finally:
        store.close()


def test_migrations_apply_from_empty_and_once(db_url: str) -> None:
    store = open_store(db_url)
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head()
    store.close()
    again = open_store(db_url)  # already at head: nothing to do
    with again.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    again.close()


def test_assessments_are_stored_listed_and_never_overwritten(
    db_url: str, assessments: dict[str, Assessment]
) -> None:
    first = _save(db_url, assessments["without"], commit="a" * 40)
    second = _save(db_url, assessments["with"], commit="a" * 40)  # same commit, re-assessed
    store = open_store(db_url)
    lines = log(store, "/repo")
    assert [(x.id, x.supersedes, x.commit) for x in lines] == [
        (second, first, "a" * 40), (first, None, "a" * 40),
    ]
    old, key = get(store, first)
    assert key == "/repo" and TRACK not in old.satisfied  # the first row is as it was
    new, _ = get(store, second)
    assert TRACK in new.satisfied
    assert new.practices[TRACK].evidence[0]["file"] == "train.py"
    with store.session() as session:
        stored = session.get(AssessmentRow, second)
        assert stored is not None and stored.report is not None
        assert stored.report["stage"] == assessments["with"].stage
    assert log(store, "/elsewhere") == []
    with pytest.raises(MLKaizenError, match=r"no stored assessment #999"):
        get(store, 999)
    store.close()


def test_diff_shows_evidence_and_a_lost_practice_an_open_plan_covered(
    db_url: str, assessments: dict[str, Assessment]
) -> None:
    store = open_store(db_url)
    a = save(store, assessments["with"], key="/repo", name="repo").current
    b = save(store, assessments["without"], key="/repo", name="repo").current
    d = compare(a, b, {TRACK: 7})
    assert [p.practice for p in d.lost] == [TRACK] and d.gained == []
    assert d.lost[0].open_plan == 7
    assert d.lost[0].evidence_disappeared == ["train.py:2 MLflow: mlflow.log_metric()"]
    back = compare(b, a)
    assert [p.practice for p in back.gained] == [TRACK] and back.gained[0].open_plan is None
    assert back.gained[0].evidence_appeared == d.lost[0].evidence_disappeared
    store.close()


def test_a_store_from_a_newer_schema_is_refused_untouched(db_url: str) -> None:
    open_store(db_url).close()
    store = open_store(db_url)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    store.close()
    with pytest.raises(MLKaizenError, match="schema revision '9999', newer than this mlkaizen"):
        open_store(db_url)
    check = open_store(db_url, migrate=False)
    with check.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999"
    check.close()


def test_an_unreachable_store_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(MLKaizenError, match=r"store sqlite:///.*file/sub/x\.db"):
        open_store(f"sqlite:///{blocker}/sub/x.db")
    with pytest.raises(MLKaizenError, match="give a SQLAlchemy URL"):
        open_store("nosuchdriver://x")
    with pytest.raises(MLKaizenError, match=r"store postgresql\+psycopg://u:\*\*\*@127\.0\.0\.1:1/x"):
        open_store("postgresql+psycopg://u:secret@127.0.0.1:1/x?connect_timeout=2")


def test_a_locked_sqlite_store_fails_cleanly_and_writes_nothing(
    tmp_path: Path, assessments: dict[str, Assessment], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from mlkaizen.store import db

    url = f"sqlite:///{tmp_path / 's.db'}"
    open_store(url).close()
    monkeypatch.setattr(db, "BUSY_SECONDS", 0.05)
    store = open_store(url)
    holder = sqlite3.connect(tmp_path / "s.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(MLKaizenError, match=r"locked.*another process holds it"):
        open_store(url)  # even opening (the schema check) says so
    with pytest.raises(MLKaizenError, match=r"locked.*another process holds it"):
        save(store, assessments["with"], key="/repo", name="repo")
    holder.execute("ROLLBACK")
    holder.close()
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(AssessmentRow)) == 0
        assert session.scalar(select(func.count()).select_from(PracticeRow)) == 0
    store.close()


def _writer(args: tuple[str, Assessment, int]) -> list[int]:
    url, a, n = args
    store = open_store(url)
    try:
        return [save(store, a, key="/shared", name="shared").id for _ in range(n)]
    finally:
        store.close()


def test_concurrent_writers_lose_nothing(db_url: str, assessments: dict[str, Assessment]) -> None:
    with ProcessPoolExecutor(4) as pool:  # each process also races to create the schema
        ids = [i for got in pool.map(_writer, [(db_url, assessments["with"], 5)] * 4) for i in got]
    assert len(set(ids)) == 20
    store = open_store(db_url)
    assert len(log(store, "/shared", limit=100)) == 20
    with store.session() as session:
        count = session.scalar(select(func.count()).select_from(PracticeRow))
    assert count == 20 * len(assessments["with"].practices)
    store.close()


def _add(store: object, practice: str = TRACK, **kw: object) -> plan_store.Item:
    args: dict[str, object] = {
        "key": "/repo", "name": "repo", "practice": practice, "owner": "alice",
        "due": dt.date(2026, 7, 1), "note": "adopt MLflow", "known": KNOWN, "today": TODAY,
    }
    args.update(kw)
    return plan_store.add(store, **args)  # type: ignore[arg-type]


def test_a_plan_is_achieved_only_by_evidence(
    db_url: str, assessments: dict[str, Assessment]
) -> None:
    store = open_store(db_url)
    item = _add(store)
    registry = _add(store, "model.registry", owner="bo")
    # not satisfied: stays open
    assert save(store, assessments["without"], key="/repo", name="repo").achieved == []
    # satisfied only by configuration (not applicable): not achieved
    assert save(store, assessments["configured"], key="/repo", name="repo").achieved == []
    saved = save(store, assessments["with"], key="/repo", name="repo")
    assert saved.achieved == [(item.id, TRACK, "evidence train.py:2")]
    status = {i.id: (i.status, i.achieved_assessment) for i in plan_store.items(store, "/repo")}
    assert status == {item.id: ("achieved", saved.id), registry.id: ("open", None)}
    # an attestation alone (the repository's config says "yes") never achieves: it stays
    # open, shown as attested and not verified, and falls overdue like any open item
    other = _add(store, key="/other", due=TODAY)
    saved = save(store, assessments["attested"], key="/other", name="other")
    assert saved.achieved == []
    [item_other] = plan_store.items(store, "/other")
    assert (item_other.id, item_other.status, item_other.achieved_how) == (other.id, "open", None)
    assert plan_store.how_achieved(saved.current, TRACK) is None
    assert plan_store.attested_only(saved.current, TRACK) == (
        "attested, not verified (attested 'yes' by maria on 2026-01-10; detection: no evidence "
        "found)")
    tomorrow = TODAY + dt.timedelta(days=1)
    assert [i.id for i in plan_store.overdue([item_other], saved.current, tomorrow)] == [other.id]
    # near miss: the same practice detected from evidence achieves the item
    assert plan_store.attested_only(saved.current, "model.registry") is None
    done = save(store, assessments["with"], key="/other", name="other").achieved
    assert done == [(other.id, TRACK, "evidence train.py:2")]
    store.close()


def test_overdue_abandoned_refused_and_stats(
    db_url: str, assessments: dict[str, Assessment]
) -> None:
    store = open_store(db_url)
    late = _add(store, due=TODAY)
    dropped = _add(store, "model.registry")
    with pytest.raises(MLKaizenError, match="--reason is required"):
        plan_store.abandon(store, dropped.id, " ")
    assert plan_store.abandon(store, dropped.id, "bought a platform").status == "abandoned"
    with pytest.raises(MLKaizenError, match="is abandoned, not open"):
        plan_store.abandon(store, dropped.id, "again")
    with pytest.raises(MLKaizenError, match="no plan item #999"):
        plan_store.abandon(store, 999, "gone")
    tomorrow = TODAY + dt.timedelta(days=1)
    shown = {i.id: i.shown_status(tomorrow) for i in plan_store.items(store, "/repo")}
    assert shown == {late.id: "overdue", dropped.id: "abandoned"}
    assert late.shown_status(TODAY) == "open"  # due today is not yet overdue
    with pytest.raises(MLKaizenError, match=r"unknown practice 'model\.nope'"):
        _add(store, "model.nope")
    with pytest.raises(MLKaizenError, match="in the past"):
        _add(store, due=TODAY - dt.timedelta(days=1))
    with pytest.raises(MLKaizenError, match="--owner is empty"):
        _add(store, owner="  ")
    _add(store, "data.access-control")
    save(store, assessments["with"], key="/repo", name="repo")
    s = plan_store.stats(store, "/repo", TODAY)
    assert (s.planned, s.achieved, s.abandoned, s.open, s.overdue) == (3, 1, 1, 1, 0)
    assert s.median_days_to_achieve is not None and s.median_days_to_achieve < 1
    # the abandoned item was never achieved; the open one, due in the future, is not late
    assert s.never_achieved == [("model.registry", 1)]
    assert s.not_yet_due == [("data.access-control", 1)]
    assert plan_store.stats(store, "/nobody", TODAY).planned == 0
    store.close()


def test_the_schema_head_constant_is_the_newest_migration() -> None:
    from mlkaizen.store.migrate import SCHEMA_HEAD

    assert head() == SCHEMA_HEAD
