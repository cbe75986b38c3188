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
# the command text read from one document at most: an anchored string a YAML file refers to
# from every task (an alias is one node to the loader) is not copied past it
MAX_TEXT = 64 * 1024


def _text(value: Any, room: list[int], depth: int = 0) -> str:
    """A task's command(s) as text: a string, a list of strings or of mappings whose
    command lies under ``cmd``/``run``/``shell``/``script``/``task`` (a sub-task's name).
    Read :data:`MAX_DEPTH` levels deep at most (a hostile document may nest far deeper), and
    within ``room`` characters (what is left of the document's :data:`MAX_TEXT`)."""
    if isinstance(value, str):
        piece = value[: max(room[0], 0)]
        room[0] -= len(piece)
        return piece
    if depth >= MAX_DEPTH or room[0] <= 0:
        return ""
    if isinstance(value, list):
        return "\n".join(_text(v, room, depth + 1) for v in value[:100])
    if isinstance(value, dict):
        for key in ("cmd", "cmds", "run", "shell", "script", "sequence", "composite", "task"):
            if key in value:
                return _text(value[key], room, depth + 1)
    return ""


def _named(mapping: Any, room: list[int] | None = None) -> dict[str, str]:
    if not isinstance(mapping, dict):
        return {}
    room = [MAX_TEXT] if room is None else room
    return {str(name): text for name, body in mapping.items() if (text := _text(body, room))}


def mise_tasks(doc: dict[str, Any]) -> dict[str, str]:
    """``[tasks.test] run = "uv run pytest"`` or ``[tasks] test = "pytest"``."""
    return _named(doc.get("tasks"))


def taskfile_tasks(doc: Any) -> dict[str, str]:
    """Task's ``tasks: {test: {cmds: [...]}}`` (a task may be a command or a list)."""
    return _named(doc.get("tasks")) if isinstance(doc, dict) else {}


def pyproject_tasks(doc: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Each runner's tasks in ``pyproject.toml``: poethepoet's ``[tool.poe.tasks]``, PDM's
    ``[tool.pdm.scripts]``, and the scripts of every Hatch environment
    (``[tool.hatch.envs.default.scripts]``), by runner (``poe``, ``pdm``, ``hatch``)."""
    tool = doc.get("tool")
    if not isinstance(tool, dict):
        return {}
    room = [MAX_TEXT]
    poe, pdm, hatch = (tool.get(k) for k in ("poe", "pdm", "hatch"))
    out = {
        "poe": _named(poe.get("tasks"), room) if isinstance(poe, dict) else {},
        "pdm": _named(pdm.get("scripts"), room) if isinstance(pdm, dict) else {},
        "hatch": {},
    }
    envs = hatch.get("envs") if isinstance(hatch, dict) else None
    for env in envs.values() if isinstance(envs, dict) else ():
        if isinstance(env, dict):
            scripts = _named(env.get("scripts"), room)
            out["hatch"] |= {k: v for k, v in scripts.items() if k not in out["hatch"]}
    return {runner: tasks for runner, tasks in out.items() if tasks}


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
