"""Parsing stays bounded by characters, the same on any machine: a scan-wide parse budget
in characters (cache hits count alike), Python code too long for a syntax tree refused
before it is parsed, parsed facts kept small, and each file read once with a worker pool."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlkaizen import api
from mlkaizen.evidence import factcache
from mlkaizen.evidence.limits import ScanLimits
from mlkaizen.evidence.parse import python_src
from mlkaizen.evidence.parse.notebook import notebook_code
from mlkaizen.evidence.parse.python_src import parse_python
from mlkaizen.evidence.tree import RepoTree
from mlkaizen.formats.yamlnodes import LineDict
from tests.conftest import MakeRepo, files_opened_below

TRAIN = "import mlflow\n\nmlflow.log_metric('auc', 0.9)\n"
N = len(TRAIN)  # 45 characters


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "user-cache"
    monkeypatch.setenv("MLKAIZEN_CACHE_DIR", str(folder))
    factcache.reset()
    yield folder
    factcache.reset()


def _limit_warnings(tree: RepoTree) -> list[str]:
    return [w.detail for w in tree.warnings if w.values.get("kind") == "limit"]


def test_the_parse_budget_counts_characters(make_repo: MakeRepo) -> None:
    root = make_repo({"a.py": TRAIN, "b.py": TRAIN, "c.py": TRAIN})
    tree = RepoTree(root, ScanLimits(max_parse_bytes=2 * N))
    assert [tree.python(f) is not None for f in ("a.py", "b.py", "c.py")] == [True, True, False]
    assert tree.parse_bytes == 2 * N == 90
    assert _limit_warnings(tree) == ["limit max_parse_bytes=90 reached: later files are not parsed"]
    assert tree.skipped["max_parse_bytes"] == 1
    # one character more and the third file is parsed: a count, not a clock
    more = RepoTree(root, ScanLimits(max_parse_bytes=2 * N + 1))
    assert all(more.python(f) is not None for f in ("a.py", "b.py", "c.py"))
    assert _limit_warnings(more) == []


def test_cached_parses_spend_the_budget_as_parses_do(make_repo: MakeRepo, cache_dir: Path) -> None:
    root = make_repo({"a.py": TRAIN, "b.py": TRAIN.replace("auc", "acc"),
                      "c.py": TRAIN.replace("auc", "mse")})
    outcomes = []
    for _ in range(2):  # cold: parsed and stored; warm: taken from the cache
        factcache.configure(jobs=1)
        tree = RepoTree(root, ScanLimits(max_parse_bytes=2 * N))
        outcomes.append(([tree.python(f) is not None for f in ("a.py", "b.py", "c.py")],
                         tree.parse_bytes, _limit_warnings(tree)))
    assert factcache.current().hits == 2
    assert outcomes[0] == outcomes[1] == (
        [True, True, False], 90, ["limit max_parse_bytes=90 reached: later files are not parsed"])


def test_an_assessment_names_the_parse_budget(make_repo: MakeRepo) -> None:
    lib = {f"lib/m{i}.py": "import mlflow\n" * 50 for i in range(5)}
    root = make_repo({"train.py": TRAIN, **lib,
                      ".mlkaizen.yaml": "limits: {max_parse_bytes: 1000}\n"})
    a = api.assess(root)
    assert a.scan is not None and a.scan.skipped.get("max_parse_bytes", 0) >= 1
    assert any(w.message == "limit max_parse_bytes=1,000 reached: later files are not parsed"
               for w in a.warnings)


def test_python_code_too_long_for_a_syntax_tree_is_refused_before_parsing(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(python_src, "MAX_PARSED_SOURCE", 1_000)
    big = "import mlflow\n" + "x = foo(1)\n" * 100  # 1,114 characters
    tree = RepoTree(make_repo({"big.py": big, "train.py": TRAIN}))
    assert tree.python("big.py") is None
    assert tree.parse_bytes == 0  # refused: none of the parse budget spent
    assert _limit_warnings(tree) == [
        "python: limit max_parsed_source=1,000 characters: Python code of 1,114 characters "
        "not parsed; file skipped by python detectors"
    ]
    assert tree.python("train.py") is not None and tree.parse_bytes == len(TRAIN)
    assert "big.py" in tree.importing(["mlflow"])  # its imports are still read from the text
    with pytest.raises(python_src.ParseError, match="max_parsed_source=1,000"):
        python_src.python_ast(big)  # every other way to a syntax tree is refused too


def test_repeated_calls_share_their_parts() -> None:
    facts = parse_python("import mlflow\n" + "mlflow.log_param(key='a', value=1)\n" * 50)
    calls = facts.calls
    assert len(calls) == 50
    assert all(c.name is calls[0].name and c.keywords is calls[0].keywords
               and c.str_args is calls[0].str_args and c.constants is calls[0].constants
               for c in calls)
    assert not hasattr(calls[0], "__dict__")  # slots: no attribute dictionary per call
    decoded = python_src.compact(factcache.decode("python", factcache.encode("python", facts))[0])
    assert decoded == facts and decoded.calls[1].keywords is decoded.calls[0].keywords


def test_yaml_mappings_carry_no_attribute_dictionary() -> None:
    mapping = LineDict(a=1)
    mapping.line = 3
    assert not hasattr(mapping, "__dict__") and mapping.line == 3
    assert sys.getsizeof(mapping) == sys.getsizeof({"a": 1}) + 8  # one slot more than a dict


def test_with_a_pool_each_file_is_still_read_once(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(factcache, "POOL_MIN_FILES", 4)
    monkeypatch.setattr(factcache, "POOL_MIN_BYTES", 1)
    monkeypatch.setattr(factcache, "CGROUP_CPU_MAX", tmp_path / "absent")
    body = "".join(f"def f{j}(x):\n    return mlflow.log_metric('m', x)\n" for j in range(20))
    files = {f"pkg/m{i}.py": f"import mlflow\nM = {i}\n" + body for i in range(40)}
    root = make_repo({**files, "train.py": TRAIN})
    with files_opened_below(root) as opened:
        try:
            cache = factcache.configure(enabled=False, jobs=2)
            a = api.assess(root)
        finally:
            factcache.reset()
    assert cache.pooled == 41  # every module and train.py was parsed in the pool
    python = sorted(f for f in opened if f.endswith(".py"))
    assert python == sorted([*files, "train.py"])  # each opened once, by the scan's reader
    assert a.scan is not None and a.scan.files_read >= 41


def test_yaml_has_a_budget_of_its_own(make_repo: MakeRepo) -> None:
    doc = "stages:\n  train:\n    cmd: python train.py\n"
    assert len(doc) == 42
    root = make_repo({"a.yaml": doc, "b.yaml": doc.replace("train", "tests"),
                      "c.yaml": doc.replace("train", "evals"), "train.py": TRAIN})
    tree = RepoTree(root, ScanLimits(max_yaml_bytes=2 * len(doc)))
    assert [tree.yaml(f) is not None for f in ("a.yaml", "b.yaml", "c.yaml")] == [
        True, True, False]
    assert tree.python("train.py") is not None  # other parses go on
    assert (tree.yaml_bytes, tree.parse_bytes) == (84, 84 + N)
    assert _limit_warnings(tree) == [
        "limit max_yaml_bytes=84 reached: later YAML files are not parsed"]


def _notebook(code: str, output_chars: int) -> str:
    import json

    cell = {"cell_type": "code", "execution_count": 1, "metadata": {},
            "source": code.splitlines(keepends=True),
            "outputs": [{"output_type": "display_data", "metadata": {},
                         "data": {"image/png": "A" * output_chars}}]}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
                      indent=1)


CODE = len(notebook_code(_notebook(TRAIN, 0))[0])  # 44: the cell's code, joined by lines


@pytest.mark.parametrize("warm", [False, True])
def test_a_notebook_spends_the_budget_by_its_code_not_its_outputs(
    make_repo: MakeRepo, cache_dir: Path, warm: bool
) -> None:
    # notebooks carry images and tables: a course of them must not use up the parse budget
    files = {f"ch{i}.ipynb": _notebook(TRAIN, 200_000) for i in range(4)}
    root = make_repo(files)
    for _ in range(2 if warm else 1):
        factcache.configure(jobs=1)
        tree = RepoTree(root, ScanLimits(max_parse_bytes=4 * CODE))
        facts = [tree.notebook(f) for f in sorted(files)]
    assert all(f is not None and "mlflow" in f.imports for f in facts)
    assert tree.parse_bytes == 4 * CODE == 176  # the code of each, not its 200,000 of output
    assert _limit_warnings(tree) == []


def test_near_miss_a_notebook_of_more_code_than_the_budget_is_not_parsed(
    make_repo: MakeRepo
) -> None:
    files = {"a.ipynb": _notebook(TRAIN * 3, 10), "b.ipynb": _notebook(TRAIN, 10)}
    big = len(notebook_code(files["a.ipynb"])[0])
    tree = RepoTree(make_repo(files), ScanLimits(max_parse_bytes=big))
    assert tree.notebook("a.ipynb") is not None  # the budget is checked before a parse
    assert tree.parse_bytes == big
    assert tree.notebook("b.ipynb") is None
    assert _limit_warnings(tree) == [
        f"limit max_parse_bytes={big} reached: later files are not parsed"]
    more = RepoTree(make_repo(files), ScanLimits(max_parse_bytes=big + 1))
    assert more.notebook("a.ipynb") is not None and more.notebook("b.ipynb") is not None
