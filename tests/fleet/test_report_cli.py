"""A fleet run through the CLI, with real worker processes, ends with its summary and is
reported with one entry per repository."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mlkaizen.fleet.manifest import Entry, Manifest
from mlkaizen.fleet.options import FleetOptions
from mlkaizen.fleet.runner import start_run
from mlkaizen.store import open_store
from tests.conftest import write_tree
from tests.fleet.report_run import MONOREPO


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlkaizen", *args], capture_output=True,
                          text=True, check=False, cwd=cwd)


def _repos(tmp_path: Path) -> list[Path]:
    one = write_tree(tmp_path / "one", {"train.py": "import pandas\n"})
    mono = write_tree(tmp_path / "mono", MONOREPO)
    return [one, mono, tmp_path / "missing"]


def _check(tmp_path: Path, db: str, run_id: int, scan: subprocess.CompletedProcess[str],
           repos: list[Path]) -> None:
    assert scan.returncode == 0, scan.stderr
    ended = [line for line in scan.stderr.splitlines() if line.startswith("fleet run #")]
    assert ended == [f"fleet run #{run_id}: 2 done · 1 failed · 0 running · 0 pending"]
    assert "  by stage: Ad hoc 2 · DataOps 0 · Manual MLOps 0 · Automated MLOps 0 · " \
        "Kaizen MLOps 0" in scan.stderr.splitlines()
    assert f"    missing: {repos[2]}: no such folder (1 attempt)" in scan.stderr.splitlines()
    report = cli("fleet", "report", str(run_id), "-f", "json", "--db", db)
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    assert [(r["name"], r["status"], r["stage"], len(r["sub_projects"]))
            for r in data["repositories"]] == [
        ("one", "done", "Ad hoc", 0), ("mono", "done", "Ad hoc", 2), ("missing", "failed", None, 0),
    ]
    assert data["run"]["counts"] == {"pending": 0, "running": 0, "done": 2, "failed": 1}
    assert data["failures"] == [{"name": "missing", "error": f"{repos[2]}: no such folder",
                                 "attempts": 1}]
    assert data["run"]["finished_at"] is not None
    status = cli("fleet", "status", str(run_id), "--db", db)
    assert status.returncode == 0, status.stderr
    assert status.stdout.splitlines()[1] == (
        "  3 jobs: 2 done · 1 failed · 0 running · 0 pending (100% ended)")


def test_a_run_resumed_through_the_cli_is_summed_up_and_reported(tmp_path: Path) -> None:
    """The run made from hand-made entries (as a manifest would give them), then driven by
    `fleet scan --resume` with two worker processes."""
    repos = _repos(tmp_path)
    db = f"sqlite:///{tmp_path / 'fleet.db'}"
    store = open_store(db)
    entries = [Entry(location=str(p), kind="path") for p in repos]
    run_id = start_run(store, Manifest(entries=entries, problems=[]), "repos.txt",
                       FleetOptions(workers=2, cache=str(tmp_path / "cache")))
    scan = cli("fleet", "scan", "--resume", str(run_id), "-q", "--db", db)
    _check(tmp_path, db, run_id, scan, repos)


def test_fleet_scan_of_a_manifest(tmp_path: Path) -> None:
    repos = _repos(tmp_path)
    manifest = tmp_path / "manifest.txt"
    manifest.write_text("".join(f"{p}\n" for p in repos), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'fleet.db'}"
    scan = cli("fleet", "scan", str(manifest), "-w", "2", "-q", "--db", db)
    _check(tmp_path, db, 1, scan, repos)
