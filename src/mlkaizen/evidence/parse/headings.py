"""The section headings of a Markdown or reStructuredText document.

Markdown is read with a CommonMark parser (markdown-it-py), so a ``# comment`` inside a fenced
code block is code, not a heading. reStructuredText headings are title lines underlined (and
optionally overlined) with a punctuation character.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_RST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+:.<>_])\1{2,}\s*$")


@cache
def _parser() -> MarkdownIt:
    """The CommonMark parser, built on first use (importing it costs start-up time)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def markdown_headings(text: str, max_level: int = 3) -> list[tuple[str, int]]:
    """(heading text, 1-based line) of the Markdown headings down to ``max_level``."""
    try:
        tokens = _parser().parse(text)
    except (RecursionError, ValueError):
        return []
    out: list[tuple[str, int]] = []
    for i, tok in enumerate(tokens[:-1]):
        if tok.type == "heading_open" and int(tok.tag[1:]) <= max_level and tok.map:
            out.append((tokens[i + 1].content.strip()[:200], tok.map[0] + 1))
    return out


def rst_headings(text: str) -> list[tuple[str, int]]:
    """(heading text, 1-based line) of reStructuredText section titles."""
    lines = text.splitlines()
    out: list[tuple[str, int]] = []
    for i in range(1, len(lines)):
        title = lines[i - 1].strip()
        under = _RST_UNDERLINE.match(lines[i])
        if (
            under
            and title
            and not _RST_UNDERLINE.match(lines[i - 1])
            and len(lines[i].strip()) >= len(title)
        ):
            out.append((title[:200], i))
    return out


def headings_parser(path: str) -> Callable[[str], list[tuple[str, int]]]:
    """The parser of a document's headings, by its kind: one of two module functions, so that
    their results can be kept by content (:mod:`mlkaizen.evidence.factcache`)."""
    return rst_headings if path.lower().endswith(".rst") else markdown_headings
