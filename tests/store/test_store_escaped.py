"""What the store hands back (folder names, evidence with the repository's file names, plan
owners, notes and reasons) reaches the terminal with every control character made visible:
`assess --save` and `history --save` confirmations, `log`, `diff`, `plan add`, `plan list`,
`plan abandon` and `plan stats`, on a real SQLite store and real git repositories."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.history.gitrepo import TRACKING, init
from tests.history.test_render_escaped import FOLDER, hostile_commit

TRACK = "model.experiment-tracking"
SCRIPT = "tr\x1b]8;;evil\x1b\\ain\x1b[2J.py"  # a training script's file name
SHOWN_SCRIPT = "tr\\x1b]8;;evil\\x1b\\ain\\x1b[2J.py"
SHOWN_FOLDER = "repo\\x1b]0;title\\x07<b>[x](y)"
OWNER = "\x1b]52;c;ZXZpbA==\x07Eve"
SHOWN_OWNER = "\\x1b]52;c;ZXZpbA==\\x07Eve"
NOTE = "<script>alert(1)</script> \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x9b2J\u202eevil"
SHOWN_NOTE = (
    "<script>alert(1)</script> \\x1b]8;;http://x\\x1b\\link\\x1b]8;;\\x1b\\ \\x9b2J\\u202eevil"
)


def cli(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "mlkaizen", *args, "--db", db],
                          capture_output=True, text=True, check=False)
    for stream in (proc.stdout, proc.stderr):
        assert not any(c in stream for c in "\x1b\x07\x9b\u202e"), (args, stream)
    return proc


@pytest.fixture
def stored(tmp_path: Path) -> tuple[Path, str, list[str]]:
    """A hostile repository (folder name, commit authors and subjects, a file name) with
    two stored history points: tracking absent, then present."""
    root = init(tmp_path / FOLDER)
    ids = [
        hostile_commit(root, {"README.md": "# x\n"}, "2025-01-15"),
        hostile_commit(root, {SCRIPT: TRACKING}, "2025-02-10"),
    ]
    db = f"sqlite:///{tmp_path / 'store' / 'kaizen.db'}"
    proc = cli("history", str(root), "--every", "commit", "--save", "-f", "json", db=db)
    assert proc.returncode == 0, proc.stderr
    return root, db, ids


def test_log_and_diff_show_stored_values_escaped(stored: tuple[Path, str, list[str]]) -> None:
    root, db, ids = stored
    log = cli("log", str(root), db=db)
    assert log.returncode == 0, log.stderr
    assert [line.split()[3:5] for line in log.stdout.splitlines()[1:]] == [
        [ids[1][:7], "history"], [ids[0][:7], "history"],
    ]
    diff = cli("diff", "#1", "#2", db=db)
    assert diff.returncode == 0, diff.stderr
    assert f"  + {TRACK}: unmet -> met" in diff.stdout.splitlines()
    assert f"      + {SHOWN_SCRIPT}:2 MLflow: mlflow.log_metric()" in diff.stdout.splitlines()
    # JSON keeps the stored value exactly (JSON string encoding)
    data = json.loads(cli("diff", "#1", "#2", "-f", "json", db=db).stdout)
    assert data["gained"][0]["evidence_appeared"] == [f"{SCRIPT}:2 MLflow: mlflow.log_metric()"]


def test_assess_save_confirmation_escapes_the_folder_and_evidence(
    stored: tuple[Path, str, list[str]],
) -> None:
    root, db, _ = stored
    (root / SCRIPT).unlink()
    proc = cli("assess", str(root), "--save", "-f", "json", db=db)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert f"mlkaizen: saved as assessment #3 of {SHOWN_FOLDER}" in lines
    assert f"    - {TRACK}: met -> unmet" in lines
    assert f"        - {SHOWN_SCRIPT}:2 MLflow: mlflow.log_metric()" in lines


def test_plans_show_owner_note_and_reason_escaped(stored: tuple[Path, str, list[str]]) -> None:
    root, db, _ = stored
    added = cli("plan", "add", "model.registry", "--owner", OWNER, "--due", "2999-01-31",
                "--note", NOTE, "--path", str(root), db=db)
    assert added.returncode == 0, added.stderr
    assert added.stdout == f"plan item #1: model.registry, owner {SHOWN_OWNER}, due 2999-01-31\n"
    listed = cli("plan", "list", "--path", str(root), db=db)
    assert listed.stdout == (
        f"#1    open      model.registry  owner {SHOWN_OWNER}, due 2999-01-31  ({SHOWN_NOTE})\n"
    )
    dropped = cli("plan", "abandon", "1", "--reason", NOTE, "--path", str(root), db=db)
    assert dropped.stdout == f"plan item #1 abandoned: {SHOWN_NOTE}\n"
    stats = cli("plan", "stats", "--path", str(root), db=db)
    assert stats.returncode == 0 and "abandoned 1" in stats.stdout
    # JSON keeps them exactly
    rows = json.loads(cli("plan", "list", "--path", str(root), "-f", "json", db=db).stdout)
    assert (rows[0]["owner"], rows[0]["note"]) == (OWNER, NOTE)


def test_an_empty_subject_names_its_folder_escaped(tmp_path: Path) -> None:
    root = tmp_path / FOLDER
    root.mkdir()
    db = f"sqlite:///{tmp_path / 'kaizen.db'}"
    log = cli("log", str(root), db=db)
    assert log.stdout == (
        f"no stored assessments of {SHOWN_FOLDER} (save one with `assess --save`)\n"
    )
    plans = cli("plan", "list", "--path", str(root), db=db)
    assert plans.stdout == (
        f"no plan items for {SHOWN_FOLDER} (add one with `mlkaizen plan add`)\n"
    )
