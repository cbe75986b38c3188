"""Project configuration: both locations, every section, and errors with path:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlkaizen import assess
from mlkaizen.config import load_config
from mlkaizen.errors import MLKaizenError
from tests.conftest import MakeRepo


def test_yaml_config_with_all_sections(make_repo: MakeRepo) -> None:
    root = make_repo({".mlkaizen.yaml": """
scope: svc
not_applicable:
  deployment.progressive-delivery: {reason: batch scoring}
exempt:
  model.model-card: {reason: drafting it, owner: ann, expires: 2099-01-01}
attest:
  data.access-control: {answer: yes, by: bo, date: 2026-10-01}
"""})
    cfg = load_config(root)
    assert cfg.scope == "svc"
    assert cfg.attest["data.access-control"].answer == "yes"  # YAML's bare yes is a boolean
    assert str(cfg.exempt["model.model-card"].expires) == "2099-01-01"


def test_pyproject_tool_section(make_repo: MakeRepo) -> None:
    root = make_repo({"pyproject.toml": """[project]
name = "x"
[tool.mlkaizen.attest."data.access-control"]
answer = "no"
by = "cy"
date = 2026-09-01
"""})
    assert load_config(root).attest["data.access-control"].answer == "no"


@pytest.mark.parametrize(("text", "fragment", "line"), [
    ("attest:\n  data.access-control:\n    answer: maybe\n    by: a\n    date: 2026-01-01\n",
     "answer", 3),
    ("exempt:\n  model.model-card:\n    reason: later\n    owner: a\n    expires: soon\n",
     "expected YYYY-MM-DD", 5),
    ("colour: red\n", "colour", 1),
    ("attest: [\n", "invalid YAML", 2),
])
def test_bad_config_reports_line(make_repo: MakeRepo, text: str, fragment: str,
                                 line: int) -> None:
    root = make_repo({".mlkaizen.yaml": text})
    with pytest.raises(MLKaizenError) as info:
        load_config(root)
    assert fragment in str(info.value)
    assert info.value.path == str(root / ".mlkaizen.yaml")
    assert info.value.line == line


def test_unknown_practice_in_config_is_an_error_with_line(make_repo: MakeRepo) -> None:
    root = make_repo({".mlkaizen.yaml": "not_applicable:\n  data.nope: {reason: none here}\n"})
    with pytest.raises(MLKaizenError) as info:
        assess(root)
    assert "unknown practice 'data.nope'" in info.value.message and info.value.line == 2


def test_scope_limits_the_scan(make_repo: MakeRepo) -> None:
    root = make_repo({"svc/train.py": "import mlflow\nmlflow.log_metric('a', 1)\n",
                      "other/t.py": "import wandb\nwandb.init()\n"})
    a = assess(root, scope="other")
    ev = a.practice("model.experiment-tracking")
    assert ev is not None and ev.evidence[0].file == "other/t.py"  # the repository's path
    assert {f.file for f in a.findings} <= {"other/t.py"}
    with pytest.raises(MLKaizenError, match="scope"):
        assess(root, scope="../..")


def test_explicit_config_file_missing(tmp_path: Path) -> None:
    with pytest.raises(MLKaizenError, match="not found"):
        assess(tmp_path, config_path=tmp_path / "nope.yaml")
