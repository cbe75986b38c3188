"""One module per file format. Each turns text into a typed, format-specific view.

Parsers never read files themselves: :class:`mlkaizen.evidence.tree.RepoTree` reads once and
hands them text. A parser raises :class:`ParseError` with a line where it has one.
"""

from __future__ import annotations


class ParseError(Exception):
    """A file could not be parsed; becomes a warning finding, and the scan goes on."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
