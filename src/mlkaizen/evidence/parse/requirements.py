"""Requirement specifiers (requirements.txt, pyproject dependencies) through :mod:`packaging`.

The common shapes (a name, extras, and plain release versions such as ``numpy==1.26.4`` or
``torch>=2.1,<3``) are read by :func:`simple_requirement` without importing packaging, which
costs about 30 ms of a run; everything else, and anything in doubt, goes to packaging.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_ONE_SPEC = r"(==|!=|<=|>=|<|>|~=)[ \t]*([0-9]+(?:\.[0-9]+)*(?:\.\*)?)"  # a plain release
_SIMPLE = re.compile(
    rf"[ \t]*(?P<name>{_NAME})[ \t]*"
    rf"(?:\[[ \t]*{_NAME}(?:[ \t]*,[ \t]*{_NAME})*[ \t]*\][ \t]*)?"
    rf"(?P<specs>{_ONE_SPEC}(?:[ \t]*,[ \t]*{_ONE_SPEC})*)?[ \t]*"
)
_SPEC = re.compile(_ONE_SPEC)


@dataclass(frozen=True)
class Pin:
    """One requirement line: its name, whether it is pinned to one version, and its line."""

    name: str
    pinned: bool
    line: int


def simple_requirement(spec: str) -> tuple[str, bool] | None:
    """``(name, pinned)`` of a requirement in one of the common shapes, as packaging would
    give them; None for any other shape (packaging then decides, errors included)."""
    match = _SIMPLE.fullmatch(spec)
    if match is None:
        return None
    specs = _SPEC.findall(match.group("specs") or "")
    for operator, version in specs:
        if version.endswith(".*") and operator not in ("==", "!="):
            return None  # a wildcard only follows == and != (packaging says why)
        if operator == "~=" and "." not in version:
            return None  # ~= needs two release numbers
    return match.group("name"), any(_pins(op, v) for op, v in specs)


def parse_requirements(text: str) -> tuple[list[Pin], list[tuple[int, str]]]:
    """Requirement lines and the lines that could not be parsed as ``(line, message)``.

    Options (``-r``, ``--hash``, ``-e``), URLs and comments are skipped, not errors.
    """
    pins: list[Pin] = []
    problems: list[tuple[int, str]] = []
    logical = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not logical:
            start = number
        if line.endswith("\\"):
            logical += line[:-1] + " "
            continue
        logical += line
        entry, logical = logical.strip(), ""
        if not entry or entry.startswith(("#", "-", "git+", "http:", "https:", "file:", ".")):
            continue
        read = _read(entry.split(" --hash")[0].split(";")[0].strip())
        if isinstance(read, str):
            problems.append((start, read))
            continue
        name, pinned, url = read
        pins.append(Pin(name.lower(), pinned or url, start))
    return pins, problems


def is_pinned(spec: str) -> bool | None:
    """Whether a single PEP 508 string pins one version (or one patch series); ``None`` when
    it does not parse."""
    read = _read(spec)
    return None if isinstance(read, str) else read[1]


def _read(spec: str) -> tuple[str, bool, bool] | str:
    """``(name, pinned by its versions, names a URL)`` of one requirement, or packaging's
    first line of why it does not parse: the common shapes without packaging."""
    simple = simple_requirement(spec)
    if simple is not None:
        return simple[0], simple[1], False
    from packaging.requirements import InvalidRequirement, Requirement  # on first use

    try:
        req = Requirement(spec)
    except InvalidRequirement as exc:
        return str(exc).splitlines()[0]
    return req.name, any(_pins(s.operator, s.version) for s in req.specifier), bool(req.url)


def _pins(operator: str, version: str) -> bool:
    """One version (``==1.2.3``) or one patch series (``==1.2.*``, ``~=1.2.3``): bug-fix
    releases only. A range (``>=1.2``), a minor series (``~=1.2``, ``==1.*``) is not a pin."""
    if operator == "===":
        return True
    if operator == "==":
        return "*" not in version or patch_series(version)
    return operator == "~=" and len(version.split(".")) >= 3


def patch_series(version: str) -> bool:
    """``1.2.*``: a wildcard after at least a major and a minor number."""
    head, _, tail = version.partition("*")
    parts = head.rstrip(".").split(".")
    return tail == "" and len(parts) >= 2 and all(p.isdigit() for p in parts)
