"""The pages' level shades and stage colours are the reports' (the heat map's and the
badge's), so a level looks the same in a report and on the server."""

from __future__ import annotations

import re

from mlkaizen.report.svgchart import GREENS, STAGE_COLORS
from mlkaizen.server.pages import style_sheet


def _background(css: str, selector: str) -> str:
    found = re.search(re.escape(selector) + r" \{ background: (#[0-9a-f]{6});", css)
    assert found is not None, selector
    return found.group(1)


def test_level_and_stage_colours_are_the_reports() -> None:
    css = style_sheet()
    assert [_background(css, f".lvl-{n}") for n in range(4)] == list(GREENS)
    assert {n: _background(css, f".stage-{n}") for n in range(1, 6)} == STAGE_COLORS
