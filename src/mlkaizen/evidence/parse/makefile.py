"""Makefiles (and justfiles): target -> recipe text, so a CI step `make train` can be expanded."""

from __future__ import annotations

import re

_TARGET = re.compile(r"^([A-Za-z0-9_.\-/ ]+?)\s*:(?!=)(.*)$")


def parse_makefile(text: str) -> dict[str, tuple[int, str]]:
    """Each target with the line it is defined on and its recipe (prerequisite names first)."""
    targets: dict[str, tuple[int, str]] = {}
    current: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith(("\t", "    ")) and current:
            for name in current:
                line, body = targets[name]
                targets[name] = (line, body + "\n" + raw.strip())
            continue
        match = _TARGET.match(raw)
        if match and not raw.startswith((".", "#")) and "=" not in match.group(1):
            current = match.group(1).split()
            for name in current:
                targets.setdefault(name, (number, match.group(2).strip()))
        elif raw.strip() and not raw.startswith("#"):
            current = []
    return targets
