"""The issue's promise, end to end through the command line: `fleet scan` of local
repositories with 2 workers, killed with SIGKILL midway, then `fleet scan --resume RUN`,
ends with exactly one result per repository in `fleet report RUN -f json`, and exactly one
stored assessment each."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from mlkaizen.store.fleet import DONE, latest_run, run_info
from mlkaizen.store.tables import AssessmentRow, SubjectRow
from tests.conftest import committed_repo
from tests.fleet.midway import signal_when_done

REPOS = 24


def _repo(root: Path, n: int) -> Path:
    files = {
        "train.py": "import mlflow\nimport sklearn\nmlflow.log_metric('auc', 0.9)\n",
        "requirements.txt": "mlflow\nscikit-learn\n",
        ".github/workflows/ci.yml": "on: [push]\njobs:\n  t:\n    runs-on: x\n    steps:\n"
                                    "      - run: pytest\n",
    }
    # enough code that a job takes a moment: the run can be caught midway
    salt = f"{n}-{root.parent.name}"  # no parse cached from another repository or run
    files.update({f"pkg/m{i}.py": f"import numpy\n\ndef f{i}(x):\n    return x * {i}  # {salt}\n"
                  * 40 for i in range(60)})
    if n % 3 == 0:
        files["dvc.yaml"] = "stages:\n  train:\n    cmd: python train.py\n"
    return committed_repo(root, files)


def _mlkaizen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlkaizen", *args], capture_output=True,
                          text=True, check=False)


def test_a_run_killed_midway_resumes_to_exactly_one_result_per_repository(tmp_path: Path
                                                                            ) -> None:
    repos = [_repo(tmp_path / f"team-{n:02d}", n) for n in range(REPOS)]
    manifest = tmp_path / "repos.txt"
    manifest.write_text("".join(f"{r} team=t{n % 4}\n" for n, r in enumerate(repos)))
    url = f"sqlite:///{tmp_path / 'fleet.db'}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlkaizen", "fleet", "scan", str(manifest), "-w", "2", "-q",
         "--db", url, "--cache", str(tmp_path / "cache")],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    store, killed = signal_when_done(proc, url, tmp_path / "fleet.db", 3, signal.SIGKILL)
    proc.wait()
    assert killed, f"the run ended before it was killed: {proc.stderr}"
    assert proc.returncode == -signal.SIGKILL
    assert store is not None
    run_id = latest_run(store)
    assert run_id is not None
    left = run_info(store, run_id)
    assert left.finished_at is None and left.counts[DONE] < REPOS  # killed midway
    resumed = _mlkaizen("fleet", "scan", "--resume", str(run_id), "-q", "--db", url)
    assert resumed.returncode == 0, resumed.stderr
    got = _mlkaizen("fleet", "report", str(run_id), "-f", "json", "--db", url)
    assert got.returncode == 0, got.stderr
    report = json.loads(got.stdout)
    rows = report["repositories"]
    assert [r["location"] for r in rows] == [str(r) for r in repos]  # one each, in order
    assert {r["status"] for r in rows} == {"done"}
    assert all(r["stage"] for r in rows)
    assert report["run"]["counts"] == {"pending": 0, "running": 0, "done": REPOS, "failed": 0}
    with store.session() as session:
        stored = session.execute(
            select(SubjectRow.key, func.count())
            .join(AssessmentRow, AssessmentRow.subject_id == SubjectRow.id)
            .group_by(SubjectRow.key)
        ).all()
    assert sorted(stored) == sorted((str(r.resolve()), 1) for r in repos)
    store.close()
