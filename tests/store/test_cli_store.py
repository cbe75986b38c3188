"""The store commands end to end: assess --save, log, diff, plan, history --save, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.history.gitrepo import practice_history

TRACK = "model.experiment-tracking"


def cli(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLKAIZEN_DB": db}
    return subprocess.run([sys.executable, "-m", "mlkaizen", *args], capture_output=True,
                          text=True, env=env, check=False)


def test_save_log_plan_and_diff(tmp_path: Path) -> None:
    root = tmp_path / "churn"
    ids = practice_history(root)
    db = f"sqlite:///{tmp_path / 'kaizen.db'}"
    proc = cli("plan", "add", "model.registry", "--owner", "alice", "--due", "2999-01-31",
               "--note", "adopt a registry", "--path", str(root), db=db)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "plan item #1: model.registry, owner alice, due 2999-01-31\n"
    proc = cli("history", str(root), "--every", "month", "--save", "-f", "json", db=db)
    assert proc.returncode == 0, proc.stderr
    proc = cli("assess", str(root), "--save", "-f", "json", db=db)
    assert proc.returncode == 0, proc.stderr
    assert "mlkaizen: saved as assessment #5 of churn" in proc.stderr
    log = json.loads(cli("log", str(root), "-f", "json", db=db).stdout)
    assert [(x["id"], x["origin"], x["commit"], x["supersedes"]) for x in log] == [
        (5, "assess", ids[5], 4), (4, "history", ids[5], None), (3, "history", ids[3], None),
        (2, "history", ids[2], None), (1, "history", ids[0], None),
    ]
    diff = cli("diff", "#2", "3", db=db)
    assert diff.returncode == 0, diff.stderr
    assert f"  - {TRACK}: met -> unmet" in diff.stdout
    assert "      - train.py:2 MLflow: mlflow.log_metric()" in diff.stdout
    commits = cli("diff", ids[0], ids[1], "--path", str(root), "-f", "json", db=db)
    assert [p["practice"] for p in json.loads(commits.stdout)["gained"]] == [TRACK]
    listed = cli("plan", "list", "--path", str(root), db=db)
    assert listed.stdout.startswith("#1    open      model.registry  owner alice, due 2999-01-31")


def test_store_errors_are_one_line_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    bad = f"sqlite:///{blocker}/x.db"
    good = f"sqlite:///{tmp_path / 'ok.db'}"
    for args, db, message in [
        (("log", str(tmp_path)), bad, f"store {bad}:"),
        (("assess", str(tmp_path), "--save"), bad, f"store {bad}:"),
        (("plan", "add", "model.nope", "--owner", "a", "--due", "2999-01-01",
          "--path", str(tmp_path)), good, "unknown practice 'model.nope'"),
        (("plan", "add", "model.registry", "--owner", "a", "--due", "2000-01-01",
          "--path", str(tmp_path)), good, "is in the past"),
        (("plan", "add", "model.registry", "--owner", "", "--due", "2999-01-01",
          "--path", str(tmp_path)), good, "--owner is empty"),
        (("plan", "abandon", "1"), good, "--reason is required"),
        (("diff", "1", "HEAD"), good, "not one of each"),
    ]:
        proc = cli(*args, db=db)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, args
        assert proc.stdout == "", args  # nothing half-written, no report before the error


PROFILE = "needs_regulatory_compliance: true\nneeds_operational_excellence: false\n"
LOST = f"- lost {TRACK} (met -> unmet); open plan item #1 covered it"
EVIDENCE = "train.py:2 MLflow: mlflow.log_metric()"
REPORTED = {
    "terminal": ["Since the stored assessment #1:", LOST, f"    - {EVIDENCE}",
                 "Overdue plan items (1):", "! #2 model.registry, owner bo, due 2020-02-01"],
    "markdown": ["### Since the stored assessment #1",
                 f"- **Lost** `{TRACK}` (met → unmet) — **open plan item #1 covered it**",
                 f"  - disappeared: `{EVIDENCE}`", "### Overdue plan items (1)",
                 "- #2 `model.registry`: owner bo, due 2020-02-01 — overdue registry"],
    "html": ["<h2>Since the stored assessment #1</h2>", "<h2>Overdue plan items</h2>",
             f"<td>disappeared: {EVIDENCE}<br></td></tr>"],
}


def _overdue_item(root: Path, db: str) -> None:
    """A plan item due 2020-02-01, planned (as the API allows) on 2020-01-01."""
    import datetime as dt

    from mlkaizen.store import open_store, plans
    from mlkaizen.store.snapshots import subject_key

    store = open_store(db)
    key, name = subject_key(root)
    plans.add(store, key=key, name=name, practice="model.registry", owner="bo",
              due=dt.date(2020, 2, 1), note="overdue registry", known={"model.registry"},
              today=dt.date(2020, 1, 1))
    store.close()


def _open_item(root: Path, db: str) -> None:
    """An open plan item for experiment tracking, due 2999-01-31 (planned through the API)."""
    import datetime as dt

    from mlkaizen.store import open_store, plans
    from mlkaizen.store.snapshots import subject_key

    store = open_store(db)
    key, name = subject_key(root)
    plans.add(store, key=key, name=name, practice=TRACK, owner="alice",
              due=dt.date(2999, 1, 31), note="", known={TRACK}, today=dt.date.today())
    store.close()


def test_every_report_shows_what_was_lost_since_the_stored_one_and_overdue_plans(
    tmp_path: Path,
) -> None:
    from tests.history.gitrepo import PLAIN, TRACKING, commit, init

    root = init(tmp_path / "churn")
    commit(root, {"train.py": TRACKING, "profile.yaml": PROFILE}, "2025-02-10", "Bob", "Track")
    db = f"sqlite:///{tmp_path / 'kaizen.db'}"
    proc = cli("assess", str(root), "--save", "-f", "json", "--fail-under", "data=0", db=db)
    assert proc.returncode == 0, proc.stderr
    first = json.loads(proc.stdout)
    assert (first["previous"], first["overdue_plans"]) == (None, [])
    # `plan add` refuses a practice the stored assessment shows met; an item planned for it
    # while it was not (or kept from an older version) is open when it is lost
    refused = cli("plan", "add", TRACK, "--owner", "alice", "--due", "2999-01-31",
                  "--path", str(root), db=db)
    assert refused.returncode == 2 and "already met in the stored assessment #1" in refused.stderr
    _open_item(root, db)
    _overdue_item(root, db)
    commit(root, {"train.py": PLAIN}, "2025-03-05", "Dee", "Drop mlflow")
    for fmt, lines in REPORTED.items():  # --db without --save: shown, nothing stored
        proc = cli("assess", str(root), "--db", db, "-f", fmt, db="sqlite:///unused")
        assert proc.returncode == 0, proc.stderr
        shown = proc.stdout.splitlines()
        for line in lines:
            assert line in shown, (fmt, line)
    proc = cli("assess", str(root), "--save", "-f", "json", db=db)
    assert proc.returncode == 0, proc.stderr
    assert "mlkaizen: saved as assessment #2 of churn" in proc.stderr
    data = json.loads(proc.stdout)
    assert data["previous"]["previous"] == "#1" and data["previous"]["gained"] == []
    assert [(m["practice"], m["before"], m["after"], m["open_plan_item"],
             [(e["file"], e["line"]) for e in m["evidence_disappeared"]])
            for m in data["previous"]["lost"]] == [(TRACK, "met", "unmet", 1, [("train.py", 2)])]
    assert [(p["id"], p["practice"], p["owner"], p["due"]) for p in data["overdue_plans"]] == [
        (2, "model.registry", "bo", "2020-02-01")]
    again = cli("assess", str(root), "--db", db, "-f", "markdown", db=db)
    assert "### Since the stored assessment #2" in again.stdout
    assert "No practice gained or lost." in again.stdout.splitlines()
    log = cli("log", str(root), db=db).stdout.splitlines()
    assert [line.split()[0] for line in log[1:3]] == ["2", "1"]
    assert all(line.endswith(" organization=0; target Manual MLOps") for line in log[1:3])
    diff = cli("diff", "#1", "#2", db=db)
    assert f"  - {TRACK}: met -> unmet (open plan item #1 covered it)" in diff.stdout
    assert f"      - {EVIDENCE}" in diff.stdout.splitlines()
    d = json.loads(cli("diff", "1", "2", "-f", "json", db=db).stdout)
    assert [(p["practice"], p["open_plan"], p["evidence_disappeared"]) for p in d["lost"]] == [
        (TRACK, 1, [EVIDENCE])]
    commits = cli("diff", "HEAD~1", "HEAD", "--path", str(root), "--db", db, db=db)
    assert f"  - {TRACK}: met -> unmet (open plan item #1 covered it)" in commits.stdout


def test_a_newer_locked_or_unreachable_store_is_one_line_exit_2(tmp_path: Path) -> None:
    import sqlite3

    from sqlalchemy import create_engine, text

    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "train.py").write_text("print(1)\n")
    newer = f"sqlite:///{tmp_path / 'newer.db'}"
    assert cli("assess", str(repo), "--save", "-f", "json", db=newer).returncode == 0
    engine = create_engine(newer)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    locked_file = tmp_path / "locked.db"
    locked = f"sqlite:///{locked_file}?timeout=0.2"
    assert cli("log", str(repo), db=locked).returncode == 0  # created, at the newest schema
    blocker = tmp_path / "file"
    blocker.write_text("x")
    bad = f"sqlite:///{blocker}/x.db"
    holder = sqlite3.connect(locked_file, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        for db, message in [(newer, "newer than this mlkaizen knows"),
                            (locked, "database is locked"), (bad, f"store {bad}:")]:
            for args in [("assess", str(repo), "--save"), ("assess", str(repo), "--db", db),
                         ("log", str(repo)), ("plan", "list", "--path", str(repo)),
                         ("plan", "add", TRACK, "--owner", "a", "--due", "2999-01-01",
                          "--path", str(repo))]:
                proc = cli(*args, db=db)
                assert proc.returncode == 2, (db, args, proc.stderr)
                assert message in proc.stderr, (db, args, proc.stderr)
                assert len(proc.stderr.strip().splitlines()) == 1, (db, args, proc.stderr)
                assert proc.stdout == "", (db, args)  # no report before the error
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    check = sqlite3.connect(locked_file)
    assert check.execute("SELECT count(*) FROM assessments").fetchone() == (0,)
    check.close()


def test_a_repository_attestation_never_closes_a_plan_item(tmp_path: Path) -> None:
    """``attest:`` in the repository's own config says "yes": the item stays open, the save
    says so, and only evidence closes it."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".mlkaizen.yaml").write_text(
        f"attest:\n  {TRACK}: {{answer: yes, by: mallory, date: 2026-01-10}}\n")
    db = f"sqlite:///{tmp_path / 'kaizen.db'}"
    assert cli("plan", "add", TRACK, "--owner", "alice", "--due", "2999-01-31",
               "--path", str(root), db=db).returncode == 0
    proc = cli("assess", str(root), "--save", "-f", "json", db=db)
    assert proc.returncode == 0, proc.stderr
    assert "achieved" not in proc.stderr
    assert (f"plan item #1 stays open: {TRACK} attested, not verified (attested 'yes' by "
            "mallory on 2026-01-10; detection: no evidence found)") in proc.stderr.splitlines()
    listed = cli("plan", "list", "--path", str(root), db=db)
    assert listed.stdout.startswith(f"#1    open      {TRACK}")
    (root / "train.py").write_text('import mlflow\nmlflow.log_metric("auc", 0.9)\n')
    proc = cli("assess", str(root), "--save", "-f", "json", db=db)
    assert f"plan item #1 achieved: {TRACK} (evidence train.py:2)" in proc.stderr.splitlines()
    assert "stays open" not in proc.stderr


def test_plan_commands_keep_to_their_subject_and_to_what_is_left_to_do(tmp_path: Path) -> None:
    import shutil

    from tests.conftest import EXAMPLE

    db = f"sqlite:///{tmp_path / 'kaizen.db'}"
    ours, theirs = tmp_path / "churn", tmp_path / "other"
    shutil.copytree(EXAMPLE, ours)
    theirs.mkdir()
    (theirs / "train.py").write_text("from sklearn.linear_model import LogisticRegression\n")
    assert cli("assess", str(ours), "--save", "-q", db=db).returncode == 0
    # a practice the stored assessment shows met by evidence is not planned
    met = cli("plan", "add", "model.registry", "--owner", "a", "--due", "2999-01-01",
              "--path", str(ours), db=db)
    assert met.returncode == 2 and met.stdout == ""
    assert met.stderr.startswith("mlkaizen: error: model.registry is already met in the stored "
                                 "assessment #1 (evidence src/churn/train.py:")
    assert met.stderr.endswith("); nothing to plan\n") and len(met.stderr.splitlines()) == 1
    # near misses: an unmet practice, and a subject never assessed, are planned
    for path, practice, due in ((ours, "operations.drift-alerts", "2999-01-01"),
                                (theirs, "model.registry", "2999-01-01")):
        added = cli("plan", "add", practice, "--owner", "a", "--due", due, "--path", str(path),
                    db=db)
        assert added.returncode == 0, added.stderr
    # an id of another subject's plan is refused where it is not that subject's
    wrong = cli("plan", "abandon", "1", "--reason", "not ours", "--path", str(theirs), db=db)
    assert (wrong.returncode, wrong.stdout) == (2, "")
    assert wrong.stderr == ("mlkaizen: error: plan item #1 belongs to another subject (churn); "
                            "run the command in its repository (see `mlkaizen plan list`)\n")
    assert "#1    open" in cli("plan", "list", "--path", str(ours), db=db).stdout
    done = cli("plan", "abandon", "2", "--reason", "not ours", "--path", str(theirs), db=db)
    assert done.stdout == "plan item #2 abandoned: not ours\n", done.stderr
    # stats: an item not due yet is not "never achieved"; an abandoned one is
    stats = cli("plan", "stats", "--all", "--path", str(ours), db=db).stdout
    assert stats.splitlines()[2:] == [
        "planned and never achieved (past due or abandoned):", "  model.registry (1x)",
        "planned, not due yet:", "  operations.drift-alerts (1x)"]
    data = json.loads(cli("plan", "stats", "--path", str(ours), "-f", "json", db=db).stdout)
    assert (data["never_achieved"], data["not_yet_due"]) == (
        [], [["operations.drift-alerts", 1]])
