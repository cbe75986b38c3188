"""The command line end to end, through the real entry point: formats, errors, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, MakeRepo


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlkaizen", *args], capture_output=True,
                          text=True, cwd=cwd, check=False)


def test_assess_terminal_default(example_copy: Path) -> None:
    proc = cli("assess", str(example_copy))
    assert proc.returncode == 0, proc.stderr
    assert "Stage: Manual MLOps" in proc.stdout
    assert "Roadmap" in proc.stdout and "Blocks Automated MLOps" in proc.stdout
    assert max(len(line) for line in proc.stdout.splitlines()) <= 80
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(("fmt", "marker"), [
    ("json", '"schema_version"'), ("markdown", "## MLKaizen: Manual MLOps"),
    ("html", "<!DOCTYPE html>"), ("terminal", "MLKaizen · churn-prediction"),
    ("sarif", '"version": "2.1.0"'),
])
def test_every_format_to_a_file(example_copy: Path, tmp_path: Path, fmt: str,
                                marker: str) -> None:
    out = tmp_path / "out" / f"report.{fmt}"
    out.parent.mkdir()
    proc = cli("assess", str(example_copy), "--format", fmt, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    wrote = f"mlkaizen: wrote {out} ({fmt})\n"
    if fmt in ("markdown", "html", "sarif"):  # their links: relative to the repository
        wrote += LINKS_WARNING
    assert proc.stdout == "" and proc.stderr == wrote
    assert marker in out.read_text()
    with_base = cli("assess", str(example_copy), "--format", fmt, "--out", str(out),
                    "--link-base", "https://git.example/acme/churn/blob/main/")
    assert with_base.stderr == f"mlkaizen: wrote {out} ({fmt})\n"


LINKS_WARNING = ("mlkaizen: warning: evidence links are relative to the repository's root: "
                 "read the report from there, or give --link-base URL\n")


def test_json_report_shape(example_copy: Path) -> None:
    proc = cli("assess", str(example_copy), "-f", "json")
    data = json.loads(proc.stdout)
    assert data["stage"] == "Manual MLOps" and data["potential_stage"]
    assert {d["id"] for d in data["dimensions"]} == {"data", "model", "deployment",
                                                     "operations", "organization"}
    practice = next(p for p in data["practices"] if p["id"] == "model.registry")
    assert practice["state"] == "met" and practice["source"] == "detected"
    assert practice["evidence"][0]["file"] == "src/churn/train.py"
    assert practice["evidence"][0]["line"] == 31
    for key in ("findings", "warnings", "roadmap", "questions", "catalogue", "subject"):
        assert key in data


@pytest.mark.parametrize(("args", "fragment"), [
    (("assess", "/definitely/not/here"), "/definitely/not/here: path does not exist"),
    (("assess", "--format", "xml", "."), "Invalid value"),
    (("assess", "--no-such-flag"), "No such option"),
    (("explain", "data.nope"), "unknown practice or detector 'data.nope'"),
    (("explain",), "give a practice or detector id"),
    (("model", "validate", "/nope.yaml"), "/nope.yaml: catalogue file not found"),
    (("model", "schema", "--of", "nope"), "--of must be one of"),
])
def test_usage_and_input_errors_exit_2(args: tuple[str, ...], fragment: str) -> None:
    proc = cli(*args)
    assert proc.returncode == 2
    assert fragment in proc.stderr
    assert "Traceback" not in proc.stderr


def test_not_a_directory_and_bad_config_exit_2(make_repo: MakeRepo) -> None:
    root = make_repo({"file.txt": "", ".mlkaizen.yaml": "attest: [\n"})
    proc = cli("assess", str(root / "file.txt"))
    assert proc.returncode == 2 and "not a directory" in proc.stderr
    proc = cli("assess", str(root))
    assert proc.returncode == 2
    assert f"{root / '.mlkaizen.yaml'}:2: invalid YAML" in proc.stderr


def test_bad_catalogue_file_exit_2_with_line(tmp_path: Path) -> None:
    bad = tmp_path / "cat.yaml"
    bad.write_text("id: x\nversion: '1'\ntitle: t\nlevels: []\ndimensions: []\nstages: []\n"
                   "practices:\n  - id: data.a\n    dimension: data\n")
    proc = cli("model", "validate", str(bad))
    assert proc.returncode == 2
    assert f"{bad}:8:" in proc.stderr


def test_model_commands(tmp_path: Path) -> None:
    show = cli("model", "show")
    assert show.returncode == 0 and "Kaizen MLOps" in show.stdout
    assert "data.versioned" in show.stdout
    ok = cli("model", "validate", str(Path("src/mlkaizen/catalogue/ad-hoc-to-kaizen.yaml")
                                      .resolve()))
    assert ok.returncode == 0 and "ok" in ok.stdout
    schema = json.loads(cli("model", "schema").stdout)
    assert "practices" in schema["properties"]
    docs = cli("model", "docs", "--out", str(tmp_path / "d"))
    assert docs.returncode == 0 and (tmp_path / "d" / "model.md").is_file()


def test_explain_practice_detector_and_stage(example_copy: Path) -> None:
    practice = cli("explain", "model.experiment-tracking")
    assert practice.returncode == 0
    assert "experiment_tracking_used" in practice.stdout and "Fix:" in practice.stdout
    det = cli("explain", "dvc_tracks_data")
    assert det.returncode == 0 and "data.versioned" in det.stdout
    stage = cli("explain", "--stage", "--path", str(example_copy))
    assert stage.returncode == 0
    assert "What blocks Automated MLOps" in stage.stdout
    assert "model.ct-triggers" in stage.stdout
    # the levels in words, practices by title (their ids are in "What blocks")
    assert "\n  Model is at level 1 (standardised). Level 2 needs: " in stage.stdout
    assert "Level 2 needs: “Training is triggered automatically" in " ".join(stage.stdout.split())
    assert "quorum" not in stage.stdout


def test_detectors_listing() -> None:
    proc = cli("detectors")
    assert proc.returncode == 0
    assert proc.stdout.count("\n") >= 60 and "experiment_tracking_used" in proc.stdout


def test_assess_current_directory_by_default(example_copy: Path) -> None:
    proc = cli("assess", "-f", "json", cwd=example_copy)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["subject"]["name"] == "churn-prediction"


def test_scope_option(make_repo: MakeRepo) -> None:
    root = make_repo({"a/train.py": "import mlflow\nmlflow.log_metric('x', 1)\n"})
    proc = cli("assess", str(root), "--scope", "a", "-f", "json")
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert data["subject"]["scope"] == "a"
    assert next(p for p in data["practices"]
                if p["id"] == "model.experiment-tracking")["state"] == "met"


def test_example_is_shipped() -> None:
    assert (EXAMPLE / ".mlkaizen.yaml").is_file()


def test_detector_bug_becomes_a_warning_not_a_crash(make_repo: MakeRepo) -> None:
    from mlkaizen.evidence.detectors.base import Detector
    from mlkaizen.evidence.scan import run_detectors
    from mlkaizen.evidence.tree import RepoTree

    def boom(tree: object) -> list[object]:
        raise ZeroDivisionError("bug")

    broken = Detector("broken_detector", "A detector with a bug.", "test", boom)  # type: ignore[arg-type]
    result = run_detectors(RepoTree(make_repo({"a.py": ""})), [broken])
    assert result.detectors_run == set()
    assert "broken_detector failed (ZeroDivisionError: bug)" in result.warnings[0].detail


def test_output_to_a_closed_pipe_is_quiet(example_copy: Path) -> None:
    proc = subprocess.run(f"{sys.executable} -m mlkaizen assess {example_copy} | head -1",
                          shell=True, capture_output=True, text=True, check=False)
    assert proc.stdout.startswith("MLKaizen")
    assert "Traceback" not in proc.stderr and "Broken pipe" not in proc.stderr
