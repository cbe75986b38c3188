"""Properties of the escapers, on any text: no control, bidi or invisible line-breaking
character survives any of them; plain text passes through unchanged; no Markdown construct
can start from a value; no CSV cell reads as a formula."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from mlkaizen.report.escape import (
    WORD_JOINER,
    csv_cell,
    html,
    md_code,
    md_text,
    visible,
    visible_lines,
)

# what a terminal or viewer could act on: C0, DEL, C1, bidi marks, overrides and isolates,
# line and paragraph separators, BOM and non-characters, lone surrogates
ACTIVE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ufffe\uffff"
    "\ud800-\udfff]"
)
# text biased towards what attackers use: escapes, markup, mentions, formulas, white space
hostile = st.text(
    alphabet=st.one_of(
        st.sampled_from(
            list("\x1b\x07\x9b\x9d\x00\x7f\n\r\t\u202e\u2066\u2028\ufeff\u00a0\u3000")
            + list("[]()<>`*_~|$@&\\!:/.=+-'\" #")
        ),
        st.characters(codec="utf-8"),
        st.characters(blacklist_categories=("Cs",)),
    ),
    max_size=60,
)
# text with nothing to escape in any format
plain = st.text(
    alphabet=st.sampled_from(list("abcxyzABC0123456789 ,;?%^{}éü日本")), max_size=40
)


@settings(max_examples=300, deadline=None)
@given(hostile)
def test_no_active_character_survives_any_escaper(text: str) -> None:
    for out in (visible(text), md_text(text), md_code(text), md_code(text, table=True),
                html(text), str(csv_cell(text))):
        assert not ACTIVE.search(out), (text, out)
    assert "\n" not in visible(text) and visible_lines(text).count("\n") == text.count("\n")


@settings(max_examples=200, deadline=None)
@given(hostile)
def test_visible_is_idempotent(text: str) -> None:
    assert visible(visible(text)) == visible(text)


@settings(max_examples=200, deadline=None)
@given(plain)
def test_plain_text_round_trips(text: str) -> None:
    assert visible(text) == text
    assert md_text(text) == text
    assert html(text) == text
    assert csv_cell(text) == text


@settings(max_examples=300, deadline=None)
@given(hostile)
def test_markdown_text_has_every_special_character_escaped(text: str) -> None:
    out = md_text(text)
    # remove the escapes (and the joiner after an escaped @): nothing special is left bare
    bare = re.sub(r"\\.", "", out.replace("\\@" + WORD_JOINER, ""))
    assert not re.search(r"[\\`*_~\[\]<>&|$@]", bare), (text, out)
    assert "@" not in out.replace("\\@" + WORD_JOINER, "")


def _blank(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")


@settings(max_examples=300, deadline=None)
@given(hostile)
def test_no_csv_cell_starts_a_formula(text: str) -> None:
    cell = csv_cell(text)
    assert isinstance(cell, str)
    if cell.startswith("'"):
        return
    # what a spreadsheet sees after skipping blanks (and the shown escapes' backslash)
    rest = cell.lstrip("".join(c for c in cell if _blank(c)))
    assert not rest.startswith(("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")), (
        text, cell)
