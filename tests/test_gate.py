"""The CI gate: --fail-under (stage or levels), the committed baseline, --fail-on-regression,
the before/after summary, and the exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlkaizen.catalogue.loader import load_catalogue
from mlkaizen.engine.compare import parse_threshold
from mlkaizen.errors import MLKaizenError

CATALOGUE_VERSION = load_catalogue().version


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlkaizen", *args], capture_output=True,
                          text=True, cwd=cwd, check=False)


STAGES = ["Ad hoc", "DataOps", "Manual MLOps", "Automated MLOps", "Kaizen MLOps"]
DIMS = ["data", "model", "deployment", "operations", "organization"]


def test_threshold_parsing() -> None:
    assert parse_threshold("Manual MLOps", STAGES, DIMS) == (3, {})
    assert parse_threshold("manual mlops", STAGES, DIMS) == (3, {})
    assert parse_threshold("4", STAGES, DIMS) == (4, {})
    assert parse_threshold("data=2, model=1", STAGES, DIMS) == (None, {"data": 2, "model": 1})
    for bad in ("Nirvana", "data=9", "dta=1", "data", "7"):
        with pytest.raises(MLKaizenError, match="--fail-under"):
            parse_threshold(bad, STAGES, DIMS)


@pytest.mark.parametrize(("spec", "code", "reason"), [
    ("Manual MLOps", 0, None),
    ("Automated MLOps", 1, "stage Manual MLOps is below Automated MLOps"),
    ("data=2,model=1", 0, None),
    ("data=2,model=2", 1, "Model is at level 1, below 2"),
])
def test_fail_under(example_copy: Path, spec: str, code: int, reason: str | None) -> None:
    proc = cli("assess", str(example_copy), "--fail-under", spec, "-f", "json")
    assert proc.returncode == code, proc.stderr
    assert json.loads(proc.stdout)["stage"] == "Manual MLOps"  # the report is still written
    if reason:
        assert f"mlkaizen: gate failed: {reason}" in proc.stderr


def test_bad_threshold_is_a_usage_error(example_copy: Path) -> None:
    proc = cli("assess", str(example_copy), "--fail-under", "Nirvana")
    assert proc.returncode == 2 and "expected a stage" in proc.stderr


def test_baseline_then_regression_gate(example_copy: Path) -> None:
    saved = cli("baseline", "save", str(example_copy))
    assert saved.returncode == 0, saved.stderr
    base = example_copy / ".mlkaizen" / "baseline.json"
    data = json.loads(base.read_text())
    assert data["stage"] == "Manual MLOps" and data["practices"]["model.registry"] == "met"

    same = cli("assess", str(example_copy), "--fail-on-regression", "-f", "markdown")
    assert same.returncode == 0, same.stderr
    assert "### Since the baseline" in same.stdout and "No practice changed state." in same.stdout

    # remove the model registration: a practice met in the baseline is now unmet
    train = example_copy / "src" / "churn" / "train.py"
    train.write_text(train.read_text().replace(', registered_model_name="churn-classifier"', ""))
    worse = cli("assess", str(example_copy), "--fail-on-regression", "-f", "markdown")
    assert worse.returncode == 1
    assert worse.stderr == ("mlkaizen: gate failed: model.registry was met, now unmet "
                            f"[catalogue ad-hoc-to-kaizen {CATALOGUE_VERSION}]\n")
    assert "**Lost:** `model.registry` (met → unmet)" in worse.stdout
    assert "| Model | 1 | 1 |" in worse.stdout  # a supporting practice: the level holds
    # no serving code: the service is no longer monitored, a core practice; its level falls
    # and the gate fails, while the stage holds with that one gap (the repository trains in
    # a pipeline, gates its model and tests in CI: part of the next stage already)
    (example_copy / "src" / "churn" / "serve.py").unlink()
    worst = cli("assess", str(example_copy), "--fail-on-regression", "-f", "markdown")
    assert worst.returncode == 1
    assert "Operations & Infrastructure fell from level 1 to 0" in worst.stderr
    assert "stage fell" not in worst.stderr
    assert "| 1 | 0 ↓ |" in worst.stdout  # Operations & Infrastructure, 1 then 0
    assert "1 gap that the stage's gate tolerates" in worst.stdout
    # without its pipeline, its CI and the script that gates its model, nothing earns the
    # gap any more: the stage falls
    (example_copy / "dvc.yaml").unlink()
    shutil.rmtree(example_copy / ".github")
    (example_copy / "src" / "churn" / "evaluate.py").unlink()
    fallen = cli("assess", str(example_copy), "--fail-on-regression", "-f", "markdown")
    assert fallen.returncode == 1
    assert "stage fell from Manual MLOps to DataOps" in fallen.stderr
    # without the flag the comparison is shown but does not gate
    shown = cli("assess", str(example_copy), "-f", "json")
    assert shown.returncode == 0
    lost = {x["practice"] for x in json.loads(shown.stdout)["baseline"]["lost"]}
    assert {"model.registry", "operations.monitoring", "model.training-pipeline"} <= lost


def _older_rule_baseline(example_copy: Path) -> Path:
    """A baseline judged under another level rule, at a higher stage than today's rule gives."""
    assert cli("baseline", "save", str(example_copy)).returncode == 0
    base = example_copy / ".mlkaizen" / "baseline.json"
    data = json.loads(base.read_text())
    data["catalogue"] = {"id": "ad-hoc-to-kaizen", "version": "2026.11.0"}  # no rule id then
    data["stage"], data["stage_index"] = "Automated MLOps", 4
    data["levels"] = {k: 2 for k in data["levels"]}
    base.write_text(json.dumps(data))
    return base


def test_a_gate_never_fails_only_because_the_rule_changed(example_copy: Path) -> None:
    _older_rule_baseline(example_copy)
    proc = cli("assess", str(example_copy), "--fail-on-regression",
               "--fail-under", "Automated MLOps", "-f", "json")
    assert proc.returncode == 0, proc.stderr
    comparison = json.loads(proc.stdout)["baseline"]
    assert comparison["rule_changed"] is True and comparison["lost"] == []
    assert "the level rule changed since the baseline" in comparison["note"]
    assert "--fail-under Automated MLOps not enforced" in comparison["note"]


def test_under_a_changed_rule_a_lost_practice_still_fails_the_gate(example_copy: Path) -> None:
    _older_rule_baseline(example_copy)
    train = example_copy / "src" / "churn" / "train.py"
    train.write_text(train.read_text().replace(', registered_model_name="churn-classifier"', ""))
    proc = cli("assess", str(example_copy), "--fail-on-regression",
               "--fail-under", "Automated MLOps", "-f", "json")
    assert proc.returncode == 1
    judged = f" [catalogue ad-hoc-to-kaizen {CATALOGUE_VERSION}]"
    assert proc.stderr.splitlines() == [
        "mlkaizen: gate failed: stage Manual MLOps is below Automated MLOps" + judged,
        "mlkaizen: gate failed: model.registry was met, now unmet" + judged,
    ]


def test_a_rule_unchanged_threshold_still_fails(example_copy: Path) -> None:
    assert cli("baseline", "save", str(example_copy)).returncode == 0
    proc = cli("assess", str(example_copy), "--fail-under", "Automated MLOps")
    assert proc.returncode == 1
    assert "stage Manual MLOps is below Automated MLOps" in proc.stderr


def test_baseline_from_another_catalogue_version_is_migrated(example_copy: Path) -> None:
    assert cli("baseline", "save", str(example_copy)).returncode == 0
    base = example_copy / ".mlkaizen" / "baseline.json"
    data = json.loads(base.read_text())
    data["catalogue"]["version"] = "2025.01.0"
    data["practices"]["data.retired-practice"] = "met"
    base.write_text(json.dumps(data))
    proc = cli("assess", str(example_copy), "--fail-on-regression", "-f", "json")
    assert proc.returncode == 0, proc.stderr
    note = json.loads(proc.stdout)["baseline"]["note"]
    assert "2025.01.0" in note and "data.retired-practice" in note


@pytest.mark.parametrize(("content", "message"), [
    ('{"catalogue": {"id": "other", "version": "1"}, "stage": "Ad hoc", "stage_index": 1,'
     ' "levels": {}, "practices": {}}', "baseline is for catalogue 'other'"),
    ("{not json", "unreadable baseline"),
    ('{"stage": 3}', "not a baseline file"),
])
def test_bad_baseline_exits_2(example_copy: Path, content: str, message: str) -> None:
    base = example_copy / ".mlkaizen" / "baseline.json"
    base.parent.mkdir()
    base.write_text(content)
    proc = cli("assess", str(example_copy), "--fail-on-regression")
    assert proc.returncode == 2 and message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_baseline_with_regression_flag(example_copy: Path) -> None:
    proc = cli("assess", str(example_copy), "--fail-on-regression")
    assert proc.returncode == 2 and "mlkaizen baseline save" in proc.stderr


def test_badge_is_a_static_svg_coloured_by_stage(example_copy: Path, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    out = tmp_path / "badge.svg"
    proc = cli("badge", str(example_copy), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    svg = ET.fromstring(out.read_text())
    ns = {"s": "http://www.w3.org/2000/svg"}
    texts = [t.text for t in svg.findall(".//s:text", ns)]
    assert texts == ["MLOps stage", "Manual MLOps"]
    fills = [r.get("fill") for r in svg.findall(".//s:rect", ns)]
    assert "#dfb317" in fills  # stage 3's colour
    assert "http" not in out.read_text().replace("http://www.w3.org/2000/svg", "")


def test_badge_colours_differ_by_stage() -> None:
    from mlkaizen.report.badge import COLORS

    assert len(set(COLORS.values())) == 5


# --------------------------------------------------------------------------- a baseline that
# cannot be used fails the regression gate closed: exit 2, one line, never "gate passed"
def _saved_baseline(repo: Path) -> bytes:
    assert cli("baseline", "save", str(repo)).returncode == 0
    return (repo / ".mlkaizen" / "baseline.json").read_bytes()


def _plant(repo: Path, how: str) -> None:
    folder = repo / ".mlkaizen"
    good = _saved_baseline(repo)
    target = folder / "baseline.json"
    if how == "dangling link":
        target.unlink()
        target.symlink_to(repo / "nowhere.json")
    elif how == "link to a good baseline":
        (repo / "real-baseline.json").write_bytes(good)
        target.unlink()
        target.symlink_to(repo / "real-baseline.json")
    elif how == "linked folder":
        elsewhere = repo / "elsewhere"
        folder.rename(elsewhere)
        folder.symlink_to(elsewhere)
    elif how == "folder":
        target.unlink()
        target.mkdir()
    elif how == "fifo":
        target.unlink()
        os.mkfifo(target)
    elif how == "hard link":
        os.link(target, repo / "twin.json")


@pytest.mark.parametrize(("how", "message"), [
    ("dangling link", "is a symbolic link"),
    ("link to a good baseline", "is a symbolic link"),
    ("linked folder", "'.mlkaizen' is a symbolic link"),
    ("folder", "is a directory where a file is expected"),
    ("fifo", "is not a regular file"),
    ("hard link", "has 2 hard links"),
])
def test_an_unusable_baseline_fails_the_regression_gate_closed(
    example_copy: Path, how: str, message: str
) -> None:
    _plant(example_copy, how)
    proc = cli("assess", str(example_copy), "--fail-on-regression", "-f", "json")
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and message in proc.stderr
    assert "the regression gate cannot be judged without it" in proc.stderr
    assert "gate passed" not in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize("how", ["dangling link", "linked folder", "fifo"])
def test_an_unusable_baseline_not_asked_for_is_a_warning(example_copy: Path, how: str) -> None:
    """Near miss: without --fail-on-regression the run goes on, and says why the baseline
    found in the repository was not used."""
    _plant(example_copy, how)
    proc = cli("assess", str(example_copy), "-f", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["baseline"] is None
    assert [w["message"].startswith("baseline not used: ") for w in data["warnings"]
            if w["kind"] == "baseline"] == [True]


def test_a_regular_baseline_still_gates_and_passes(example_copy: Path) -> None:
    _saved_baseline(example_copy)
    proc = cli("assess", str(example_copy), "--fail-on-regression", "-f", "json")
    assert proc.returncode == 0
    assert proc.stderr == (
        f"mlkaizen: gate passed [catalogue ad-hoc-to-kaizen {CATALOGUE_VERSION}]\n")


def test_a_missing_baseline_fails_the_regression_gate_closed(example_copy: Path) -> None:
    proc = cli("assess", str(example_copy), "--fail-on-regression", "--fail-under", "Ad hoc")
    assert proc.returncode == 2
    assert proc.stderr == (f"mlkaizen: error: {example_copy / '.mlkaizen' / 'baseline.json'}: "
                           "baseline not found; create it with `mlkaizen baseline save`\n")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file of mode 000")
def test_an_unreadable_baseline_fails_the_regression_gate_closed(example_copy: Path) -> None:
    _saved_baseline(example_copy)
    (example_copy / ".mlkaizen" / "baseline.json").chmod(0)
    proc = cli("assess", str(example_copy), "--fail-on-regression")
    assert proc.returncode == 2 and "Permission denied" in proc.stderr
    assert len(proc.stderr.splitlines()) == 1
