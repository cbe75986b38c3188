"""``mlkaizen map``: many subjects side by side, from answers folders and repositories, with
the target from each subject's profile (the published taxonomy rule)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlkaizen.engine.taxonomy import Profile, target_stage_index
from tests.conftest import EXAMPLE

COMPANIES = sorted((Path(__file__).resolve().parents[2] / "examples" / "companies").iterdir())


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlkaizen", *args], capture_output=True,
                          text=True, check=False)


@pytest.mark.parametrize(("compliance", "excellence", "collab", "target"), [
    (False, False, False, 1), (False, False, True, 2), (True, False, False, 3),
    (False, True, False, 4), (True, True, False, 5), (True, True, True, 5),
])
def test_target_rule_for_each_cell(compliance: bool, excellence: bool, collab: bool,
                                   target: int) -> None:
    profile = Profile(needs_regulatory_compliance=compliance,
                      needs_operational_excellence=excellence,
                      data_and_collaboration_matter=collab)
    assert target_stage_index(profile) == target


def test_map_json_and_csv_of_the_example_companies() -> None:
    data = json.loads(cli("map", *map(str, COMPANIES), "-f", "json").stdout)
    by = {s["subject"].split(" /")[0]: s for s in data["subjects"]}
    assert len(by) == 4 and len({s["stage"] for s in by.values()}) == 4
    delta = by["Delta Health"]
    assert delta["target_stage"] == "Manual MLOps" and delta["gap"] == 1
    assert delta["model_gap"] == 1 and delta["data_gap"] == 0
    rows = list(csv.DictReader(io.StringIO(cli("map", *map(str, COMPANIES), "-f",
                                                "csv").stdout)))
    assert [r["subject"] for r in rows] == [s["subject"] for s in data["subjects"]]
    assert rows[1]["respondents"] == "2"


def test_map_terminal_markdown_and_html(tmp_path: Path) -> None:
    md = cli("map", *map(str, COMPANIES), "-f", "markdown").stdout
    table, notes = md.split("\n\n")
    assert table.startswith("| Subject | Stage | Target | Gap | Data |") and table.count("\n") == 5
    # then the answers each subject's stage came from, one line a subject
    assert "_Gamma Robotics / grasp planner (edge): Used 55 answers from li._" in notes.splitlines()
    term = cli("map", *map(str, COMPANIES)).stdout
    assert "Gamma Robotics" in term and "Kaizen MLOps" in term
    out = tmp_path / "map.html"
    assert cli("map", *map(str, COMPANIES), "-f", "html", "-o", str(out)).returncode == 0
    html = out.read_text()
    assert "<svg" in html and ">Capability levels<" in html and "<script" not in html


def test_map_mixes_repositories_and_interviews(tmp_path: Path) -> None:
    import shutil

    repo = tmp_path / "churn"
    shutil.copytree(EXAMPLE, repo)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    data = json.loads(cli("map", str(repo), str(COMPANIES[0]), "-f", "json").stdout)
    kinds = [s["kind"] for s in data["subjects"]]
    assert kinds == ["ml-project", "answers-only"]
    assert data["subjects"][0]["stage"] == "Manual MLOps"


def test_map_bad_input() -> None:
    assert cli("map", "/no/such/folder").returncode == 2
    bad = cli("map", str(COMPANIES[0]), "-f", "pdf")
    assert bad.returncode == 2 and "expected terminal" in bad.stderr


def test_map_in_a_narrow_terminal_is_one_block_a_subject_never_fragments() -> None:
    from mlkaizen.catalogues import load_catalogue
    from mlkaizen.engine.model import Assessment
    from mlkaizen.report.mapping import Row, render_map

    cat = load_catalogue(None)
    rows = []
    for folder in COMPANIES:
        proc = cli("assess", "--no-repo", "--answers", str(folder), "-f", "json")
        rows.append(Row(folder.name, Assessment.model_validate_json(proc.stdout), None))
    narrow = render_map(rows, cat, "terminal", 80)
    lines = narrow.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "┃" not in narrow  # not a table squeezed into fragments
    for folder in COMPANIES:
        assert folder.name in lines  # each name whole, on a line of its own
    at = lines.index("acme-retail")
    assert lines[at + 1 : at + 4] == [
        "  stage Ad hoc",
        "  Data 0 · Model 0 · Deployment 0 · Operations & Infrastructure 0 ·",
        "    Organization 0",  # wrapped at a separator: never a dimension parted from its level
    ]
    # near miss: where the table fits, it is a table
    wide = render_map(rows, cat, "terminal", 200)
    assert wide.count("┃") > 0 and max(len(line) for line in wide.splitlines()) <= 200
