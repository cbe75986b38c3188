"""One escaping function per output format, for every value that came from the scanned
repository or a catalogue (file, folder, column, subject and respondent names, evidence
details, notes, titles, questions, remediations).

* :func:`visible`: control and direction-changing characters become visible ``\\x1b`` /
  ``\\u202e`` text; the base of every other function, and what terminal output uses.
* :func:`terminal`: a Rich ``Text`` (never parsed as Rich markup or emoji codes).
* :func:`md_text`, :func:`md_code`, :func:`md_prose`: Markdown (GitHub-flavoured, tables
  included): no raw HTML, link, image, autolink, emphasis or math can start from a value.
* :func:`html`: HTML text or attribute value.
* :func:`svg`: XML text or attribute value (also valid XML 1.0 characters only).
* :func:`csv_cell`: a spreadsheet cell that is never read as a formula.
* :func:`uri_path`: a relative path as a URI reference (SARIF ``artifactLocation.uri``).
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from rich.text import Text

# C0 and C1 controls, DEL, bidirectional overrides and isolates (Trojan Source), line and
# paragraph separators, non-characters and lone surrogates (undecodable file names)
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
    "\ufeff\ufffe\uffff\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _show(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control, bidi-override and invisible line-breaking character
    shown as an escape (``\\x1b``, ``\\n``, ``\\u202e``): one line, nothing a terminal or
    viewer would act on."""
    return _INVISIBLE.sub(_show, text)


def visible_lines(text: str, *, tabs: bool = False) -> str:
    """Plain multi-line text (explanations, summaries, a diff) with every line
    :func:`visible`; ``tabs=True`` keeps tab characters as they are (indentation in a
    file's lines), the only control character a terminal shows as blank space."""
    if tabs:
        return "\n".join(
            "\t".join(visible(part) for part in line.split("\t")) for line in text.split("\n")
        )
    return "\n".join(visible(line) for line in text.split("\n"))


def terminal(text: str, style: str = "") -> Text:
    """A Rich ``Text`` of ``text`` made :func:`visible`: printed as is, never as markup."""
    from rich.text import Text

    return Text(visible(text), style=style)


# Markdown inline constructs start at one of these characters: code (`), emphasis and
# strikethrough (* _ ~), links, images and footnotes ([ ]), raw HTML and autolinks (< >),
# entities (&), table cells (|), math ($), e-mail autolinks and mentions (@), and the escape
# itself. GFM also links bare ``scheme://`` and ``www.``: their ``:`` and ``.`` are escaped
# too. A mention (``@org/admins``) is matched by the hosts on the rendered text, after the
# backslash is gone, so ``@`` is also followed by a word joiner (U+2060, invisible). Block
# constructs (headings, lists, quotes, fences) cannot start: a value never begins a line
# and never contains a line break (:func:`visible` shows it as ``\n``).
_MD_SPECIAL = re.compile(r"[\\`*_~\[\]<>&|$@]|(?<=[A-Za-z]):(?=//)|(?<=\b[Ww]{3})\.")


def md_text(text: str) -> str:
    """Markdown inline text (safe in a table cell too): shown literally by any renderer."""
    return _MD_SPECIAL.sub(_md_escape, visible(text))


def _md_escape(match: re.Match[str]) -> str:
    char = match.group()
    return "\\@" + WORD_JOINER if char == "@" else "\\" + char


WORD_JOINER = "\u2060"


def md_code(text: str, *, table: bool = False) -> str:
    """A Markdown code span of ``text``; ``table=True`` inside a table row (GFM splits cells
    on ``|`` even inside code spans, and shows an escaped ``\\|`` as ``|`` there)."""
    body = visible(text)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * (longest + 1)
    if body.startswith(("`", " ")) or body.endswith(("`", " ")):
        body = f" {body} "
    if table:
        body = body.replace("|", "\\|")
    return f"{fence}{body}{fence}" if body else "` `"


_BACKTICKS = re.compile(r"`([^`]+)`")


def md_prose(text: str, *, table: bool = False) -> str:
    """Markdown for catalogue prose whose `backtick` spans are code (a remediation):
    the spans become code spans, everything else :func:`md_text`."""
    out: list[str] = []
    last = 0
    for match in _BACKTICKS.finditer(text):
        out.append(md_text(text[last : match.start()]))
        out.append(md_code(match.group(1), table=table))
        last = match.end()
    out.append(md_text(text[last:]))
    return "".join(out)


_XML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}


def html(text: str) -> str:
    """HTML text or (quoted) attribute value."""
    return "".join(_XML.get(c, c) for c in visible(text))


def svg(text: str) -> str:
    """SVG/XML text or attribute value; only characters XML 1.0 allows."""
    return html(text)


# a formula starts with one of these (full-width forms included), after any blank space or
# invisible character a spreadsheet may skip
_FORMULA_START = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _blank(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def csv_cell(value: object) -> object:
    """A CSV cell that no spreadsheet reads as a formula: text starting with ``= + - @``,
    also after leading white space (a space, a no-break space, a tab, a line break, any
    ``str.isspace()`` or invisible format character), or starting with a tab or line break,
    gets a leading ``'``; control characters are made visible."""
    if not isinstance(value, str):
        return value
    start = 0
    while start < len(value) and _blank(value[start]):
        start += 1
    if value[start:].startswith(_FORMULA_START) or value.startswith(("\t", "\r", "\n")):
        return "'" + visible(value)
    return visible(value)


def uri_path(path: str) -> str:
    """A relative path as a percent-encoded URI reference: only unreserved characters and
    ``/`` stay, so no scheme (``javascript:``), query, fragment or space survives."""
    return quote(path, safe="/", errors="replace")
