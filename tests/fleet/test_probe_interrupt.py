"""Ctrl-C during `fleet scan`: the command says how to finish the run and exits 130; no job
is left running and nothing is half stored (each done job has its one assessment); `--resume`
ends the run with exactly one result per repository."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from mlkaizen.store.fleet import DONE, PENDING, jobs, latest_run
from mlkaizen.store.tables import AssessmentRow
from tests.conftest import write_tree
from tests.fleet.midway import signal_when_done

REPOS = 40


def _interruptible() -> None:
    """The child takes Ctrl-C even when this test runs where SIGINT is ignored (a
    background job of a shell)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_leaves_a_resumable_run_with_nothing_half_stored(tmp_path: Path) -> None:
    repos = [write_tree(tmp_path / f"repo-{n:02d}", {
        "train.py": "import mlflow\nmlflow.log_metric('auc', 0.9)\n",
        **{f"pkg/m{i}.py": f"import numpy\n\ndef f{i}(x):\n    return x * {i}\n" * 40
           for i in range(30)},
    }) for n in range(REPOS)]
    manifest = tmp_path / "repos.txt"
    manifest.write_text("".join(f"{r}\n" for r in repos))
    url = f"sqlite:///{tmp_path / 'fleet.db'}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlkaizen", "fleet", "scan", str(manifest), "-w", "2",
         "--db", url],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        preexec_fn=_interruptible,  # noqa: PLW1509 - only resets one signal
    )
    store, interrupted = signal_when_done(proc, url, tmp_path / "fleet.db", 2, signal.SIGINT)
    _, err = proc.communicate(timeout=600)
    assert interrupted, f"the run ended before Ctrl-C: {err}"
    assert store is not None
    run_id = latest_run(store)
    assert run_id is not None
    assert proc.returncode == 130, err
    assert err.splitlines()[-1] == (
        f"mlkaizen: interrupted: finish the run with `mlkaizen fleet scan --resume {run_id}`")
    after = jobs(store, run_id)
    assert {j.status for j in after} <= {DONE, PENDING}  # none left running
    done_ids = {j.id for j in after if j.status == DONE}
    assert 2 <= len(done_ids) < REPOS
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(AssessmentRow)) == len(done_ids)
    resumed = subprocess.run(
        [sys.executable, "-m", "mlkaizen", "fleet", "scan", "--resume", str(run_id), "-q",
         "--db", url], capture_output=True, text=True, check=False, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    final = jobs(store, run_id)
    assert [j.status for j in final] == [DONE] * REPOS
    assert {j.id: j.attempts for j in final if j.id in done_ids} == dict.fromkeys(done_ids, 1)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(AssessmentRow)) == REPOS
    store.close()
