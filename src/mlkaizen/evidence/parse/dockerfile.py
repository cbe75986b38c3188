"""Dockerfiles: instructions with their lines, continuations joined."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlkaizen.evidence.parse import ParseError

_HEREDOC = re.compile(r"<<-?[\"']?(\w+)")

KNOWN = frozenset(
    [
        "FROM",
        "RUN",
        "CMD",
        "LABEL",
        "MAINTAINER",
        "EXPOSE",
        "ENV",
        "ADD",
        "COPY",
        "ENTRYPOINT",
        "VOLUME",
        "USER",
        "WORKDIR",
        "ARG",
        "ONBUILD",
        "STOPSIGNAL",
        "HEALTHCHECK",
        "SHELL",
    ]
)


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str
    line: int


def parse_dockerfile(text: str, max_logical_chars: int = 200_000) -> list[Instruction]:
    """Instructions in order. Raises :class:`ParseError` for an unknown instruction."""
    instructions: list[Instruction] = []
    pending = ""
    start = 0
    heredoc: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if heredoc is not None:
            if stripped == heredoc:
                heredoc = None
            continue
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            if len(pending) > max_logical_chars:
                raise ParseError(
                    f"an instruction runs past {max_logical_chars:,} characters of continuation "
                    "lines",
                    start,
                )
            pending += stripped[:-1] + " "
            continue
        logical = (pending + stripped).strip()
        pending = ""
        keyword, _, args = logical.partition(" ")
        if keyword.upper() not in KNOWN:
            raise ParseError(f"unknown Dockerfile instruction {keyword[:40]!r}", start)
        instructions.append(Instruction(keyword.upper(), args.strip(), start))
        marker = _HEREDOC.search(args)
        if marker:
            heredoc = marker.group(1)
    if pending:
        keyword, _, args = pending.strip().partition(" ")
        if keyword.upper() in KNOWN:
            instructions.append(Instruction(keyword.upper(), args.strip(), start))
    return instructions
