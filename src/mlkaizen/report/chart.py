"""The dimension-levels chart: Vega-Lite via Altair, rendered offline to SVG by vl-convert."""

from __future__ import annotations

from typing import Any

from mlkaizen.engine.model import Assessment
from mlkaizen.report.escape import visible


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
    title = f"Levels vs the {visible(a.next_stage)} gate" if a.next_stage else "Levels"
    chart = alt.layer(bars, potential, gates).properties(width=460, height=220, title=title)
    spec: dict[str, Any] = chart.to_dict()
    return spec


def levels_svg(a: Assessment, gate: dict[str, int]) -> str:
    import vl_convert as vlc

    svg: str = vlc.vegalite_to_svg(levels_spec(a, gate))
    return svg
