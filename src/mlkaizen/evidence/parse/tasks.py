"""Task runners' tasks -> the commands they run, so a CI step ``mise run test`` or
``poe train`` is judged by what the task does, as ``make train`` is by its recipe.

Read from parsed documents only (never run): mise (``mise.toml`` ``[tasks.X] run``), Task
(``Taskfile.yml`` ``tasks.X.cmds``), poethepoet, PDM and Hatch scripts in ``pyproject.toml``,
npm scripts in ``package.json``, and tox environments' ``commands`` in ``tox.ini``. A task
that runs others names them in its text, so one level of them can be followed as a
Makefile's prerequisites are.
"""

from __future__ import annotations

import configparser
from typing import Any

MAX_DEPTH = 8  # a task's commands nested deeper than this (lists in mappings...) are not read


def _text(value: Any, depth: int = 0) -> str:
    """A task's command(s) as text: a string, a list of strings or of mappings whose
    command lies under ``cmd``/``run``/``shell``/``script``/``task`` (a sub-task's name).
    Read :data:`MAX_DEPTH` levels deep at most (a hostile document may nest far deeper)."""
    if isinstance(value, str):
        return value
    if depth >= MAX_DEPTH:
        return ""
    if isinstance(value, list):
        return "\n".join(_text(v, depth + 1) for v in value[:100])
    if isinstance(value, dict):
        for key in ("cmd", "cmds", "run", "shell", "script", "sequence", "composite", "task"):
            if key in value:
                return _text(value[key], depth + 1)
    return ""


def _named(mapping: Any) -> dict[str, str]:
    if not isinstance(mapping, dict):
        return {}
    return {str(name): text for name, body in mapping.items() if (text := _text(body))}


def mise_tasks(doc: dict[str, Any]) -> dict[str, str]:
    """``[tasks.test] run = "uv run pytest"`` or ``[tasks] test = "pytest"``."""
    return _named(doc.get("tasks"))


def taskfile_tasks(doc: Any) -> dict[str, str]:
    """Task's ``tasks: {test: {cmds: [...]}}`` (a task may be a command or a list)."""
    return _named(doc.get("tasks")) if isinstance(doc, dict) else {}


def pyproject_tasks(doc: dict[str, Any]) -> dict[str, str]:
    """poethepoet's ``[tool.poe.tasks]``, PDM's ``[tool.pdm.scripts]`` and the scripts of
    every Hatch environment (``[tool.hatch.envs.default.scripts]``)."""
    tool = doc.get("tool")
    if not isinstance(tool, dict):
        return {}
    out: dict[str, str] = {}
    for section in (tool.get("poe"), tool.get("pdm")):
        if isinstance(section, dict):
            out |= {k: v for k, v in _named(section.get("tasks") or section.get("scripts")).items()
                    if k not in out}
    hatch = tool.get("hatch")
    envs = hatch.get("envs") if isinstance(hatch, dict) else None
    for env in envs.values() if isinstance(envs, dict) else ():
        if isinstance(env, dict):
            out |= {k: v for k, v in _named(env.get("scripts")).items() if k not in out}
    return out


def npm_scripts(doc: Any) -> dict[str, str]:
    """``package.json`` ``scripts``."""
    return _named(doc.get("scripts")) if isinstance(doc, dict) else {}


def tox_envs(text: str) -> dict[str, str]:
    """``tox.ini``: ``tox`` -> the base ``[testenv]`` commands, ``tox:NAME`` -> those of
    ``[testenv:NAME]`` (or the base ones it inherits). Unreadable text gives nothing."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except (configparser.Error, ValueError):
        return {}
    out: dict[str, str] = {}
    base = parser.get("testenv", "commands", fallback="")
    if base:
        out["tox"] = base
    for section in parser.sections():
        if section.startswith("testenv:"):
            commands = parser.get(section, "commands", fallback="") or base
            if commands:
                out["tox:" + section.removeprefix("testenv:")] = commands
    return out
