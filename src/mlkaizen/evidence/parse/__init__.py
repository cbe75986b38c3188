"""One module per file format. Each turns text into a typed, format-specific view.

Parsers never read files themselves: :class:`mlkaizen.evidence.tree.RepoTree` reads once and
hands them text. A parser raises :class:`ParseError` with a line where it has one.
"""

from __future__ import annotations

from mlkaizen.errors import ParseError

__all__ = ["ParseError"]
