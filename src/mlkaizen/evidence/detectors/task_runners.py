"""Task runners' tasks a CI step runs by name (``mise run test``, ``poe train``, ``npm run
deploy``, ``tox -e lint``), keyed by runner and name, for
:func:`~mlkaizen.evidence.detectors.documents.expand_make` to follow as it follows ``make X``.
The tasks are read from the runners' files at the top of the tree
(:mod:`mlkaizen.evidence.parse.tasks`), never run."""

from __future__ import annotations

import re
from typing import Any

from mlkaizen.evidence.parse.structured import load_json, load_toml
from mlkaizen.evidence.parse.tasks import (
    mise_tasks,
    npm_scripts,
    pyproject_tasks,
    taskfile_tasks,
    tox_envs,
)
from mlkaizen.evidence.tree import RepoTree

# the task runners' files at the top of the tree: (names, format, runner)
_TASK_FILES = (
    (("mise.toml", ".mise.toml"), "toml", "mise"),
    (("Taskfile.yml", "Taskfile.yaml", "taskfile.yml"), "yaml", "task"),
    (("pyproject.toml",), "toml", "pyproject"),
    (("package.json",), "json", "npm"),
)


def task_targets(tree: RepoTree) -> dict[str, str]:
    """Each runner's tasks at the top of the tree, as ``runner:name`` (``npm:deploy``,
    ``poe:train``, ``tox:lint``; ``tox:`` for the base environment) -> the commands they run:
    a task of one runner is never another's, nor a Makefile's target."""
    out: dict[str, str] = {}
    for names, kind, read in _TASK_FILES:
        for rel in tree.named(*names):
            doc = _document(tree, rel, kind) if rel.count("/") <= 1 else None
            for runner, tasks in _tables(doc, read).items() if isinstance(doc, dict) else ():
                for name, body in tasks.items():
                    out.setdefault(f"{runner}:{name}", body)
    for rel in tree.named("tox.ini"):
        if rel.count("/") <= 1:
            for name, body in tox_envs(tree.text(rel) or "").items():
                out.setdefault(name if ":" in name else "tox:", body)  # the base: ``tox:``
    return out


def _tables(doc: dict[str, Any], read: str) -> dict[str, dict[str, str]]:
    if read == "pyproject":
        return pyproject_tasks(doc)
    return {read: {"mise": mise_tasks, "task": taskfile_tasks, "npm": npm_scripts}[read](doc)}


def _document(tree: RepoTree, rel: str, kind: str) -> Any:
    if kind == "yaml":
        docs = tree.yaml(rel)
        return docs[0] if docs else None
    return tree.parsed(rel, kind, load_toml if kind == "toml" else load_json)


# a task run by name where a command starts (a line, or after ``;``, ``&&``, ``|``, ``then``),
# maybe through an environment's runner (``uv run poe train``, ``pdm run poe train``):
# ``mise run X``, ``task X``, ``poe X``, ``pdm [run] X``, ``hatch run [env:]X``,
# ``npm [run] X`` (yarn, pnpm); not a word inside another (``--task test``, ``tox21``)
_AT_START = (
    r"(?:^|[;&|(]|\bthen\b|\bdo\b)[ \t]*(?:(?:uv|poetry|pipenv|pdm|hatch)[ \t]+run[ \t]+)?"
)
_RUNNER = re.compile(
    _AT_START + r"(mise[ \t]+(?:run|r)|task|poe|pdm(?:[ \t]+run)?|hatch[ \t]+run|"
    r"(?:npm|yarn|pnpm)(?:[ \t]+run)?)[ \t]+([\w.:-]+)",
    re.M,
)
_RUNNER_WORDS = re.compile(r"\b(?:mise|task|poe|pdm|hatch|npm|yarn|pnpm)\b")
_TOX = re.compile(
    _AT_START + r"tox(?:[ \t]+(?:run|r)\b)?(?:[ \t]+-e[ \t]*([\w.,-]+))?(?![\w.-])", re.M
)
# npm's own commands, never a script's name (``npm ci`` does not run a ``ci`` script)
_NPM_OWN = frozenset({"ci", "install", "i", "audit", "publish", "pack", "init", "exec", "x"})


def tasks_named(command: str) -> list[str]:
    """The task runners' tasks ``command`` runs, keyed as :func:`task_targets` keys them."""
    out: list[str] = []
    for match in _RUNNER.finditer(command) if _RUNNER_WORDS.search(command) else ():
        runner, name = match.group(1).split()[0], match.group(2)
        if runner in ("yarn", "pnpm"):
            runner = "npm"
        if runner == "npm" and name in _NPM_OWN:
            continue
        out.append(f"{runner}:{name.rpartition(':')[2] if runner == 'hatch' else name}")
    for match in _TOX.finditer(command) if "tox" in command else ():
        envs = (match.group(1) or "").split(",")
        out += [f"tox:{env}" for env in envs]
    return out
