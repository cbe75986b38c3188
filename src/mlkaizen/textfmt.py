"""Plain-text helpers for the terminal: whole summary sentences, reStructuredText-style
````code```` shown as `code`, and wrapping (never cutting) to the terminal's width."""

from __future__ import annotations

import re
import shutil
import textwrap

_DOUBLE_BACKTICKS = re.compile(r"``([^`]+)``")
_ROLES = re.compile(r":(?:func|class|mod|meth|attr|data|obj):`~?([^`]+)`")


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``1 point``, ``2 points``, ``0 points`` (``plural`` for an irregular noun)."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {plural or noun + 's'}"


def plain(text: str) -> str:
    """``code`` and :role:`name` markup as `code`."""
    return _ROLES.sub(r"`\1`", _DOUBLE_BACKTICKS.sub(r"`\1`", text))


def summary(doc: str) -> str:
    """The first paragraph of a docstring, on one line, as plain text."""
    paragraph = doc.strip().split("\n\n", 1)[0]
    return plain(" ".join(paragraph.split()))


def reflow(doc: str) -> str:
    """A docstring's paragraphs each on one line (lists keep their lines), as plain text."""
    paragraphs = []
    for para in doc.strip().split("\n\n"):
        lines = para.splitlines()
        if any(line.lstrip().startswith(("- ", "* ")) for line in lines):
            paragraphs.append("\n".join(lines))
        else:
            paragraphs.append(" ".join(para.split()))
    return plain("\n\n".join(paragraphs))


def terminal_width(default: int = 80) -> int:
    """The terminal's width (``COLUMNS`` honoured), ``default`` when not a terminal; never
    narrower than 40 columns."""
    return max(40, shutil.get_terminal_size((default, 24)).columns)


def hanging(head: str, text: str, width: int) -> str:
    """``head`` then ``text`` wrapped to ``width``, continuation lines indented under it."""
    indent = " " * len(head)
    if len(head) > width // 2:  # a long head: the text goes under it
        return head.rstrip() + "\n" + textwrap.fill(
            text, width, initial_indent="    ", subsequent_indent="    "
        ) + "\n"
    return textwrap.fill(
        text, width, initial_indent=head, subsequent_indent=indent, break_on_hyphens=False
    ) + "\n"


def wrap_lines(text: str, width: int) -> str:
    """Every line of ``text`` wrapped to ``width``, keeping its indentation (and the indent
    after a leading ``- ``) on continuation lines."""
    out: list[str] = []
    for line in text.splitlines():
        if len(line) <= width:
            out.append(line)
            continue
        stripped = line.lstrip(" ")
        indent = " " * (len(line) - len(stripped))
        extra = "  " if stripped.startswith("- ") else "    "
        out.append(
            textwrap.fill(
                stripped,
                width,
                initial_indent=indent,
                subsequent_indent=indent + extra,
                break_on_hyphens=False,
                break_long_words=False,
            )
        )
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")
