"""The practice matrix of the HTML report (dimensions by levels, the share of each level's
practices satisfied, unknowns hatched): Vega-Lite via Altair, rendered offline to SVG by
vl-convert when the ``charts`` extra is installed; else a static SVG drawn by
:mod:`.svgchart`. Both show the same marks and the same legend."""

from __future__ import annotations

import json
from functools import cache
from importlib.util import find_spec
from typing import Any

from mlkaizen.engine.model import SATISFIED, Assessment, State
from mlkaizen.report.escape import visible
from mlkaizen.report.svgchart import (
    BAR,
    GATE,
    HOLDS,
    MatrixCell,
    MatrixRow,
    hatch_pattern,
    practice_matrix,
    text_width,
)

# Vega cannot fill with a pattern: the unknown share is drawn in this colour, then given the
# hatching in the SVG vl-convert returns.
_UNKNOWN_INK = "#b04fc8"
_PATTERN = "mlk-hatch"


@cache
def engine_available() -> bool:
    """True when the chart engine (``pip install 'mlkaizen[charts]'``) is installed."""
    return find_spec("altair") is not None and find_spec("vl_convert") is not None


def matrix_rows(a: Assessment, gate: dict[str, int], levels: int = 3) -> list[MatrixRow]:
    """Each dimension's cells, level 1 to ``levels``, counted from the practices' states."""
    rows = []
    for d in a.dimensions:
        holds = {r.level: r.holds for r in d.rules}
        cells = []
        for level in range(1, levels + 1):
            ps = [p for p in a.practices if p.dimension == d.id and p.level == level]
            cells.append(
                MatrixCell(
                    satisfied=sum(p.state in SATISFIED for p in ps),
                    unknown=sum(p.state is State.UNKNOWN for p in ps),
                    total=len(ps),
                    holds=holds.get(level, d.level >= level),
                    needed=gate.get(d.id, 0) >= level,
                )
            )
        rows.append(MatrixRow(visible(d.name), d.level, cells))
    return rows


def matrix_spec(rows: list[MatrixRow], level_names: list[str], title: str) -> dict[str, Any]:
    """Vega-Lite spec of the practice matrix: x runs over the levels (level L spans L-1 to
    L), y over the dimensions; per cell a track, the satisfied share, the unknown share and,
    where the next stage needs a level not held, a dashed frame."""
    import altair as alt

    values = []
    for i, r in enumerate(rows):
        for j, c in enumerate(r.cells):
            x0 = j + 0.05
            share = 0.62 / max(c.total, 1)
            values.append(
                {
                    "dimension": f"{r.name} (level {max(r.level, 0)})",
                    "order": i,
                    "x0": x0,
                    "x_end": x0 + 0.62,
                    "x_sat": x0 + share * c.satisfied,
                    "x_unk": x0 + share * (c.satisfied + c.unknown),
                    "x_text": x0 + 0.66,
                    "frame0": j + 0.01,
                    "frame1": j + 0.99,
                    "ink": HOLDS if c.holds else BAR,
                    "needed": c.needed and not c.holds,
                    "label": f"{c.satisfied}/{c.total}" + (" \u2714" if c.holds else ""),
                    "tip": f"{r.name}, level {j + 1}: {c.satisfied} of {c.total} satisfied, "
                    f"{c.unknown} unknown",
                }
            )
    data = alt.Data(values=values)  # type: ignore[no-untyped-call]
    names = {j + 0.5: f"Level {j + 1} {n}" for j, n in enumerate(level_names)}
    # a Vega expression: each name as a JSON string literal, whatever quotes it holds
    label = " : ".join(f"datum.value == {k} ? {json.dumps(v)}" for k, v in names.items()) + " : ''"
    x_scale = alt.Scale(domain=[0, len(level_names)], nice=False)
    x_axis = alt.Axis(
        orient="top", values=list(names), labelExpr=label, grid=False, ticks=False,
        domain=False, labelFontWeight="bold", labelLimit=0,
    )
    x = alt.X("x0:Q", scale=x_scale, axis=x_axis, title=None)
    longest = max((text_width(f"{r.name} (level 0)") + 8 for r in rows), default=80)
    y = alt.Y(
        "dimension:N",
        sort=alt.EncodingSortField("order"),
        title=None,
        axis=alt.Axis(labelLimit=0, labelFontSize=12, ticks=False, domain=False, minExtent=longest),
    )
    base = alt.Chart(data).encode(y=y)
    frame = base.mark_rect(
        fill="#ffffff", stroke=GATE, strokeWidth=2, strokeDash=[5, 3], height=32
    ).encode(
        x=alt.X("frame0:Q", scale=x_scale, axis=x_axis, title=None), x2="frame1:Q"
    ).transform_filter("datum.needed")
    track = base.mark_rect(fill="#eceef3", stroke="#c9ced8", height=12).encode(x=x, x2="x_end:Q")
    satisfied = base.mark_rect(height=12).encode(
        x=x, x2="x_sat:Q", color=alt.Color("ink:N", scale=None), tooltip=["tip:N"]
    )
    unknown = base.mark_rect(height=12, fill=_UNKNOWN_INK).encode(
        x=alt.X("x_sat:Q", scale=x_scale, axis=x_axis, title=None), x2="x_unk:Q"
    )
    text = base.mark_text(align="left", fontSize=12).encode(
        x=alt.X("x_text:Q", scale=x_scale, axis=x_axis, title=None), text="label:N"
    )
    chart = (
        alt.layer(frame, track, satisfied, unknown, text)
        .properties(width=170 * len(level_names), height={"step": 40}, title=title)
        .configure_view(stroke=None)
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec


def levels_svg(a: Assessment, gate: dict[str, int], level_names: list[str]) -> str:
    """The practice matrix as SVG, by the chart engine if installed, else by the project.
    Names are shown as the terminal shows them (``\\x1b``): the chart engine refuses text
    that XML cannot hold, and stops the whole process on it."""
    level_names = [visible(n) for n in level_names]
    rows = matrix_rows(a, gate, len(level_names))
    if not engine_available():
        return practice_matrix(rows, level_names, _title(a), pattern_id=_PATTERN)
    import vl_convert as vlc

    svg: str = vlc.vegalite_to_svg(matrix_spec(rows, level_names, _title(a)))
    svg = svg.replace(f'fill="{_UNKNOWN_INK}"', f'fill="url(#{_PATTERN})"')
    head_end = svg.index(">", svg.index("<svg")) + 1
    return svg[:head_end] + f"<defs>{hatch_pattern(_PATTERN)}</defs>" + svg[head_end:]


def _title(a: Assessment) -> str:
    return (
        f"Practices satisfied per level, vs what {visible(a.next_stage)} needs"
        if a.next_stage
        else "Practices satisfied per level"
    )
