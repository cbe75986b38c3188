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
