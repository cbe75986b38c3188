"""Task runners' tasks read from their files (never run): each runner's shapes, and what a
malformed or foreign document gives (nothing)."""

from __future__ import annotations

from mlkaizen.evidence.parse.structured import load_toml
from mlkaizen.evidence.parse.tasks import (
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
    assert pyproject_tasks(doc) == {"test": "pytest", "train": "python -m pkg.train",
                                    "lint": "ruff check .", "cov": "pytest --cov\ncoverage report"}
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
