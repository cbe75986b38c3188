"""Limits as configuration: defaults, CLI flags, config (which may only tighten), and a scan
that hits a limit says which one."""

from __future__ import annotations

import json
import subprocess
import sys

from mlkaizen import assess
from mlkaizen.evidence.limits import ScanLimits
from mlkaizen.evidence.tree import RepoTree
from tests.conftest import MakeRepo

BIG_YAML = "items:\n" + "".join(f"  - {{name: n{i}, value: {i}}}\n" for i in range(30_000))


def limit_warnings(a) -> list[str]:  # type: ignore[no-untyped-def]
    return [w.message for w in a.warnings if w.kind == "limit"]


def test_defaults_are_documented_values() -> None:
    limits = ScanLimits()
    assert (limits.max_file_bytes, limits.max_files, limits.max_yaml_nodes,
            limits.max_yaml_depth, limits.parse_timeout) == (2 * 1024 * 1024, 500_000, 100_000,
                                                             200, 30.0)
    # what bounds a scan is counted; the wall-time limits are a safety net well above it
    assert (limits.max_bytes_read, limits.max_parse_bytes, limits.max_parse_seconds,
            limits.max_ci_steps, limits.max_ci_text) == (
        64 * 1024 * 1024, 16 * 1024 * 1024, 300.0, 20_000, 2 * 1024 * 1024)


def test_max_files_says_which_limit(make_repo: MakeRepo) -> None:
    root = make_repo({f"f{i}.py": "" for i in range(20)})
    tree = RepoTree(root, ScanLimits(max_files=5))
    assert len(tree.files) == 5
    assert any("max_files=5" in w.detail for w in tree.warnings)


def test_yaml_node_and_depth_limits_say_which(make_repo: MakeRepo) -> None:
    root = make_repo({"params.yaml": BIG_YAML, "dvc.yaml": "stages:\n" + "  " * 1 + "a: " +
                      "[" * 50 + "]" * 50 + "\n"})
    a = assess(root, limits={"max_yaml_nodes": 1_000, "max_yaml_depth": 20, "parse_timeout": 0})
    messages = " ".join(w.message for w in a.warnings)
    assert "max_yaml_nodes=1,000" in messages and "max_yaml_depth=20" in messages


def test_parse_timeout_says_which(make_repo: MakeRepo) -> None:
    root = make_repo({"dvc.yaml": BIG_YAML})
    tree = RepoTree(root, ScanLimits(parse_timeout=0.001))
    assert tree.yaml("dvc.yaml") is None
    assert any("parse_timeout=0.001" in w.detail for w in tree.warnings)
    assert tree.skipped["parse_timeout"] == 1


def test_repository_config_may_tighten_but_not_raise_limits(make_repo: MakeRepo) -> None:
    body = "x: 1\n" * 200
    root = make_repo({"params.yaml": body,
                      ".mlkaizen.yaml": "limits: {max_file_bytes: 100, max_yaml_depth: 9999,"
                                        " parse_timeout: 0}\n"})
    a = assess(root)
    assert any("params.yaml" == w.file and "100" in w.message for w in a.warnings)
    raised = make_repo({"params.yaml": "x: 1\n" * 1_000_000 + "\n",
                        ".mlkaizen.yaml": "limits: {max_file_bytes: 999999999}\n"})
    a = assess(raised)
    assert any(w.file == "params.yaml" for w in a.warnings if w.kind == "limit")


def test_cli_flags_raise_limits(make_repo: MakeRepo) -> None:
    root = make_repo({"params.yaml": "x: 1\n" + "# pad\n" * 500_000})
    def run(*flags: str) -> list[str]:
        proc = subprocess.run([sys.executable, "-m", "mlkaizen", "assess", str(root), "-f",
                               "json", *flags], capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
        return [w["file"] for w in json.loads(proc.stdout)["warnings"] if w["kind"] == "limit"]
    assert run() == ["params.yaml"]
    assert run("--max-file-bytes", "10000000") == []


def test_max_bytes_read_says_which(make_repo: MakeRepo) -> None:
    root = make_repo({f"m{i}.py": "import mlflow\n" + "# pad\n" * 200 for i in range(10)})
    tree = RepoTree(root, ScanLimits(max_bytes_read=3_000))
    tree.importing({"mlflow"})
    assert tree.bytes_read <= 3_000 + 1_300
    assert tree.skipped["max_bytes_read"] > 0
    assert any("max_bytes_read=3,000" in w.detail for w in tree.warnings)


def test_git_listing_is_cut_at_the_file_limit(make_repo: MakeRepo) -> None:
    root = make_repo({f"f{i}.py": "" for i in range(2_100)}, git=True)
    tree = RepoTree(root, ScanLimits(max_files=10))
    assert len(tree.files) == 10
    assert any("listing was cut" in w.detail for w in tree.warnings)
    assert any("max_files=10 reached" in w.detail for w in tree.warnings)


def test_a_timeout_swallowed_where_it_lands_is_still_a_timeout() -> None:
    # the alarm's error can land in a garbage-collector callback or a broad `except` and be
    # lost; a parse that outlived its budget is a timeout all the same, whatever it met later
    import time

    import pytest

    from mlkaizen.evidence.budget import ParseTimeoutError, time_budget
    from mlkaizen.evidence.parse import ParseError

    with pytest.raises(ParseTimeoutError), time_budget(0.001):
        try:
            time.sleep(0.5)  # interrupted by the alarm
        except Exception:  # noqa: BLE001 - swallows it, as such code does
            pass
    with pytest.raises(ParseTimeoutError), time_budget(0.001):
        try:
            time.sleep(0.5)
        except Exception:  # noqa: BLE001
            pass
        raise ParseError("expands to more than max_yaml_nodes")
    with time_budget(5.0):  # near miss: within the budget, nothing is raised
        pass
