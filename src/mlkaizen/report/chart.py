"""The dimension-levels chart: Vega-Lite via Altair, rendered offline to SVG by vl-convert
when the ``charts`` extra is installed; else a static SVG drawn by :mod:`.svgchart`."""

from __future__ import annotations

from functools import cache
from importlib.util import find_spec
from typing import Any

from mlkaizen.engine.model import Assessment
from mlkaizen.report.escape import visible


@cache
def engine_available() -> bool:
    """True when the chart engine (``pip install 'mlkaizen[charts]'``) is installed."""
    return find_spec("altair") is not None and find_spec("vl_convert") is not None


def levels_spec(a: Assessment, gate: dict[str, int]) -> dict[str, Any]:
    """Vega-Lite spec: confirmed level bars, potential level ticks, next-stage gate rules."""
    import altair as alt

    rows = [
        {
            "dimension": visible(d.name),
            "order": i,
            "confirmed": d.level,
            "potential": d.potential_level,
            "gate": gate.get(d.id, 0),
        }
        for i, d in enumerate(a.dimensions)
    ]
    data = alt.Data(values=rows)  # type: ignore[no-untyped-call]
    x = alt.X(
        "dimension:N",
        sort=alt.EncodingSortField("order"),
        title=None,
        axis=alt.Axis(labelAngle=0, labelLimit=120),
    )
    y_scale = alt.Scale(domain=[0, 3])
    bars = (
        alt.Chart(data)
        .mark_bar(color="#3b7dd8", size=38)
        .encode(
            x=x,
            y=alt.Y(
                "confirmed:Q",
                scale=y_scale,
                title="capability level",
                axis=alt.Axis(values=[0, 1, 2, 3], tickMinStep=1),
            ),
            tooltip=["dimension:N", "confirmed:Q", "potential:Q", "gate:Q"],
        )
    )
    potential = (
        alt.Chart(data)
        .mark_tick(color="#b04fc9", thickness=3, size=38)
        .encode(x=x, y=alt.Y("potential:Q", scale=y_scale))
    )
    gates = (
        alt.Chart(data)
        .mark_tick(color="#d9534f", thickness=2, size=52, strokeDash=[4, 3])
        .encode(x=x, y=alt.Y("gate:Q", scale=y_scale))
    )
    chart = alt.layer(bars, potential, gates).properties(width=460, height=220, title=_title(a))
    spec: dict[str, Any] = chart.to_dict()
    return spec


def levels_svg(a: Assessment, gate: dict[str, int]) -> str:
    if not engine_available():
        from mlkaizen.report.svgchart import LevelBar, levels_chart

        bars = [
            LevelBar(d.name, d.level, d.potential_level, gate.get(d.id, 0)) for d in a.dimensions
        ]
        return levels_chart(bars, _title(a))
    import vl_convert as vlc

    svg: str = vlc.vegalite_to_svg(levels_spec(a, gate))
    return svg


def _title(a: Assessment) -> str:
    return f"Levels vs the {visible(a.next_stage)} gate" if a.next_stage else "Levels"
