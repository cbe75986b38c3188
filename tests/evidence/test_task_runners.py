"""Task runners' tasks read from their files (never run): each runner's shapes, and what a
malformed or foreign document gives (nothing)."""

from __future__ import annotations

import pytest
import yaml

from mlkaizen.evidence.detectors.task_runners import tasks_named
from mlkaizen.evidence.parse.structured import load_toml
from mlkaizen.evidence.parse.tasks import (
    MAX_TEXT,
    mise_tasks,
    npm_scripts,
    pyproject_tasks,
    taskfile_tasks,
    tox_envs,
)


def test_mise_tasks_as_tables_strings_and_lists() -> None:
    doc = load_toml('[tasks.test]\nrun = "uv run pytest"\n[tasks.ci]\nrun = ["ruff check", "pytest"]\n'
                    '[tasks.empty]\ndescription = "nothing to run"\n')
    assert mise_tasks(doc) == {"test": "uv run pytest", "ci": "ruff check\npytest"}
    assert mise_tasks(load_toml('[tasks]\ntrain = "python train.py"\n')) == {
        "train": "python train.py"}


def test_taskfile_commands_and_subtasks() -> None:
    doc = {"version": "3", "tasks": {"ci": {"cmds": [{"task": "test"}, "echo done"]},
                                     "test": {"cmds": ["pytest"]}, "bare": "make all"}}
    assert taskfile_tasks(doc) == {"ci": "test\necho done", "test": "pytest", "bare": "make all"}
    assert taskfile_tasks(["not", "a", "mapping"]) == {}


def test_pyproject_poe_pdm_and_hatch_scripts() -> None:
    doc = load_toml(
        "[tool.poe.tasks]\ntest = 'pytest'\ntrain = {cmd = 'python -m pkg.train'}\n"
        "[tool.pdm.scripts]\nlint = {shell = 'ruff check .'}\ntest = 'other'\n"
        "[tool.hatch.envs.default.scripts]\ncov = ['pytest --cov', 'coverage report']\n")
    assert pyproject_tasks(doc) == {
        "poe": {"test": "pytest", "train": "python -m pkg.train"},
        "pdm": {"lint": "ruff check .", "test": "other"},
        "hatch": {"cov": "pytest --cov\ncoverage report"},
    }
    assert pyproject_tasks({"tool": "poe"}) == {} and pyproject_tasks({}) == {}


def test_npm_scripts() -> None:
    assert npm_scripts({"scripts": {"test": "jest", "n": 3}}) == {"test": "jest"}
    assert npm_scripts({"name": "x"}) == {}


def test_tox_environments_inherit_the_base_commands() -> None:
    text = "[tox]\nenvlist = py311\n[testenv]\ncommands = pytest {posargs}\n" \
           "[testenv:lint]\ncommands = ruff check .\n[testenv:py311]\ndeps = pytest\n"
    assert tox_envs(text) == {"tox": "pytest {posargs}", "tox:lint": "ruff check .",
                              "tox:py311": "pytest {posargs}"}
    assert tox_envs("no section header\n") == {}
    assert tox_envs("[testenv]\n[testenv]\ncommands = a\n") == {"tox": "a"}


def test_a_task_nested_past_the_depth_limit_reads_as_nothing_and_never_recurses_deeper() -> None:
    deep: object = "pytest"
    for _ in range(5000):  # far past Python's recursion limit if it were followed
        deep = [deep]
    assert npm_scripts({"scripts": {"test": deep, "ok": ["pytest"]}}) == {"ok": "pytest"}


def test_an_anchored_string_every_task_refers_to_is_read_within_the_budget() -> None:
    # one string, referred to 100 x 100 times through aliases (one node each to the loader)
    text = ("s: &s '" + "x" * 50_000 + "'\nl1: &l1 [" + ", ".join(["*s"] * 100) + "]\n"
            "tasks:\n  train:\n    cmds: [" + ", ".join(["*l1"] * 100) + "]\n")
    tasks = taskfile_tasks(yaml.safe_load(text))
    assert len(tasks["train"]) <= MAX_TEXT + 100 * 100


@pytest.mark.parametrize(("command", "named"), [
    ("mise run test", ["mise:test"]),
    ("uv run poe train && task build", ["poe:train", "task:build"]),
    ("cd site && npm run deploy", ["npm:deploy"]),
    ("npm test\nyarn build", ["npm:test", "npm:build"]),
    ("hatch run test:cov", ["hatch:cov"]),
    ("tox -e py311,lint", ["tox:py311", "tox:lint"]),
    ("tox run -e lint", ["tox:lint"]),
    ("pip install tox\ntox", ["tox:"]),
    # near misses: a runner's word inside another command, or npm's own commands
    ("python main.py --task test", []),
    ("python prepare.py --dataset tox21 && cat tox.ini", []),
    ("echo toxic; npm ci; npm install", []),
])
def test_tasks_are_named_where_a_command_starts(command: str, named: list[str]) -> None:
    assert tasks_named(command) == named
