"""Requirement specifiers (requirements.txt, pyproject dependencies) through :mod:`packaging`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pin:
    """One requirement line: its name, whether it is pinned to one version, and its line."""

    name: str
    pinned: bool
    line: int


def parse_requirements(text: str) -> tuple[list[Pin], list[tuple[int, str]]]:
    """Requirement lines and the lines that could not be parsed as ``(line, message)``.

    Options (``-r``, ``--hash``, ``-e``), URLs and comments are skipped, not errors.
    """
    from packaging.requirements import InvalidRequirement, Requirement  # on first use

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
        try:
            req = Requirement(entry.split(" --hash")[0].split(";")[0].strip())
        except InvalidRequirement as exc:
            problems.append((start, str(exc).splitlines()[0]))
            continue
        pinned = any(_pins(s.operator, s.version) for s in req.specifier)
        pins.append(Pin(req.name.lower(), pinned or bool(req.url), start))
    return pins, problems


def is_pinned(spec: str) -> bool | None:
    """Whether a single PEP 508 string pins one version (or one patch series); ``None`` when
    it does not parse."""
    from packaging.requirements import InvalidRequirement, Requirement  # on first use

    try:
        req = Requirement(spec)
    except InvalidRequirement:
        return None
    return any(_pins(s.operator, s.version) for s in req.specifier)


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
