"""Plugins and weights, with the example plugin package installed (examples/plugin):
third-party detectors and catalogues through entry points, a broken plugin reported by
name, catalogue extension (add, override, weights), and ``explain --weights``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlkaizen import assess, load_catalogue
from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.detectors import REGISTRY, all_detectors
from tests.conftest import MakeRepo


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlkaizen", *args], capture_output=True,
                          text=True, env=env, check=False)


def test_example_plugin_detector_is_registered() -> None:
    detectors, problems = all_detectors()
    assert "label_studio_used" in detectors and "label_studio_used" not in REGISTRY
    assert problems == ()
    listing = cli("detectors").stdout
    assert "label_studio_used" in listing and "[plugin]" in listing


def test_example_plugin_catalogue_extends_the_builtin() -> None:
    base, acme = load_catalogue(), load_catalogue("acme-mlops")
    assert acme.extends == "ad-hoc-to-kaizen" and acme.id == "acme-mlops"
    assert len(acme.practices) == len(base.practices) + 1
    card = acme.practice("model.model-card")
    assert card is not None and card.required is False and card.title == (
        base.practice("model.model-card").title)  # type: ignore[union-attr]
    assert acme.weight("data.versioned") == 3 and acme.weight("model.registry") == 1


def test_plugin_practice_is_detected_with_the_plugin_detector(make_repo: MakeRepo) -> None:
    root = make_repo({"labeling/label_config.xml": "<View><Choices name='x'/></View>\n",
                      "data/raw.csv.dvc": "outs:\n- path: raw.csv\n"})
    a = assess(root, catalogue="acme-mlops")
    practice = a.practice("data.labelling-guidelines")
    assert practice is not None and practice.state.value == "met"
    assert practice.evidence[0].file == "labeling/label_config.xml"
    assert (a.catalogue["id"], a.catalogue["version"]) == ("acme-mlops", "2026.12.0+acme.1")


def test_weights_change_scores_and_roadmap_but_never_levels(make_repo: MakeRepo) -> None:
    root = make_repo({"data/raw.csv.dvc": "outs:\n- path: raw.csv\n"})
    acme = load_catalogue("acme-mlops")
    weighted = assess(root, catalogue=acme)
    uniform = assess(root, catalogue=acme.model_copy(update={"weights": {}}))
    data_w = next(d for d in weighted.dimensions if d.id == "data")
    data_u = next(d for d in uniform.dimensions if d.id == "data")
    assert data_w.score > data_u.score  # the met, heavy data.versioned counts three times
    assert [d.level for d in weighted.dimensions] == [d.level for d in uniform.dimensions]
    assert weighted.stage == uniform.stage
    out = cli("explain", "--weights", "--catalogue", "acme-mlops", "--path", str(root))
    assert out.returncode == 0
    assert "data.versioned: 3" in out.stdout and "never change levels" in out.stdout


def test_broken_plugin_is_reported_by_name_and_the_rest_still_run(tmp_path: Path,
                                                                   make_repo: MakeRepo) -> None:
    site = tmp_path / "site"
    dist = site / "broken_plugin-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[mlkaizen.detectors]\nbroken = no_such_module_anywhere:DETECTORS\n"
        "notadetector = json:dumps\n")
    root = make_repo({"train.py": "import mlflow\nmlflow.log_metric('a', 1)\n"})
    env = {**os.environ, "PYTHONPATH": f"{site}:{os.environ.get('PYTHONPATH', '')}"}
    proc = cli("assess", str(root), "-f", "json", env=env)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    plugin_warnings = [w["message"] for w in data["warnings"] if w["kind"] == "plugin"]
    assert any("'broken'" in m and "failed to load" in m for m in plugin_warnings)
    assert any("'notadetector'" in m and "not a Detector" in m for m in plugin_warnings)
    tracking = next(p for p in data["practices"] if p["id"] == "model.experiment-tracking")
    assert tracking["state"] == "met"
    listing = cli("detectors", env=env)
    assert listing.returncode == 0 and "'broken'" in listing.stderr


@pytest.mark.parametrize(("body", "message"), [
    ("extends: no-such-catalogue\nid: x\n", "unknown catalogue id 'no-such-catalogue'"),
    ("extends: ad-hoc-to-kaizen\nid: x\nstages: []\n", "cannot redefine 'stages'"),
    ("extends: ad-hoc-to-kaizen\nid: x\npractices:\n  - id: data.versioned\n    level: 9\n",
     "less than or equal to 3"),
    ("extends: ad-hoc-to-kaizen\nid: x\nweights: {data.nope: 2}\n", "'data.nope' is not"),
])
def test_bad_extension_is_refused_with_its_line(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "ext.yaml"
    path.write_text(body)
    with pytest.raises(MLKaizenError) as info:
        load_catalogue(path)
    assert message in str(info.value)


def test_extension_error_points_at_the_practice_line(tmp_path: Path) -> None:
    path = tmp_path / "ext.yaml"
    path.write_text("extends: ad-hoc-to-kaizen\nid: x\npractices:\n  - id: data.versioned\n"
                    "    level: 9\n")
    with pytest.raises(MLKaizenError) as info:
        load_catalogue(path)
    assert info.value.path == str(path) and info.value.line == 4
