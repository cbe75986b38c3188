"""Many subjects side by side (``mlkaizen map``): stage, levels, target and gap, as a table
and a heat map; terminal, Markdown, CSV, JSON and HTML."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.engine.model import Assessment
from mlkaizen.report.escape import csv_cell, html, md_text, terminal, visible


@dataclass(frozen=True)
class Row:
    subject: str
    assessment: Assessment
    target_index: int | None  # from the subject's profile, if it has one


def _target_levels(cat: Catalogue, target_index: int | None) -> dict[str, int]:
    stage = next((s for s in cat.stages if s.index == target_index), None)
    return dict(stage.requires) if stage else {}


def records(rows: list[Row], cat: Catalogue) -> list[dict[str, Any]]:
    names = {s.index: s.name for s in cat.stages}
    out = []
    for r in rows:
        a = r.assessment
        need = _target_levels(cat, r.target_index)
        rec: dict[str, Any] = {
            "subject": r.subject,
            "stage": a.stage,
            "stage_index": a.stage_index,
            "potential_stage": a.potential_stage,
            "target_stage": names.get(r.target_index) if r.target_index else None,
            "gap": (r.target_index - a.stage_index) if r.target_index else None,
            "respondents": len(a.respondents),
            "kind": a.subject.kind,
        }
        for d in a.dimensions:
            rec[d.id] = d.level
            rec[f"{d.id}_gap"] = (
                max(need.get(d.id, 0) - d.level, 0) if r.target_index is not None else None
            )
        out.append(rec)
    return out


def render_map(rows: list[Row], cat: Catalogue, fmt: str, width: int | None = None) -> str:
    """The map in ``fmt``. The terminal table fits ``width`` columns by wrapping cells (never
    cutting a name); without a width it takes the room its content needs."""
    recs = records(rows, cat)
    dims = [d.id for d in cat.dimensions]
    if fmt == "json":
        return (
            json.dumps(
                {"catalogue": {"id": cat.id, "version": cat.version}, "subjects": recs}, indent=2
            )
            + "\n"
        )
    if fmt == "csv":
        buf = io.StringIO()
        fields = [
            "subject",
            "stage",
            "potential_stage",
            "target_stage",
            "gap",
            *dims,
            *(f"{d}_gap" for d in dims),
            "respondents",
            "kind",
        ]
        writer = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: csv_cell(v) for k, v in r.items()} for r in recs)
        return buf.getvalue()
    header = ["Subject", "Stage", "Target", "Gap", *(d.name for d in cat.dimensions)]
    body = [
        [
            r["subject"],
            r["stage"],
            r["target_stage"] or "—",
            "—" if r["gap"] is None else str(r["gap"]),
            *(f"{r[d]}" + (f" (−{r[d + '_gap']})" if r.get(d + "_gap") else "") for d in dims),
        ]
        for r in recs
    ]
    if fmt == "markdown":
        lines = ["| " + " | ".join(md_text(h) for h in header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(md_text(str(c)) for c in row) + " |" for row in body]
        return "\n".join(lines) + "\n"
    if fmt == "html":
        return _html(header, body, recs, cat)
    return _terminal(header, body, width)


def _terminal(header: list[str], body: list[list[Any]], width: int | None) -> str:
    from rich.console import Console
    from rich.table import Column, Table

    buf = io.StringIO()
    table = Table(*(Column(terminal(h), overflow="fold") for h in header))
    for row in body:
        table.add_row(*(terminal(str(c)) for c in row))
    Console(file=buf, width=width or 10_000, no_color=True).print(table)
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"


def _html(
    header: list[str], body: list[list[Any]], recs: list[dict[str, Any]], cat: Catalogue
) -> str:
    svg = _heat_map(recs, cat)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html(str(c))}</td>" for c in row) + "</tr>" for row in body
    )
    head = "".join(f"<th>{html(h)}</th>" for h in header)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>MLKaizen map</title>
<style>body{{font:15px system-ui,sans-serif;margin:24px;color:#1d2330}}
table{{border-collapse:collapse}}th,td{{padding:6px 10px;border-bottom:1px solid #e3e6ec;
text-align:left}}th{{background:#f0f2f6}}</style></head><body>
<h1>MLKaizen map: {len(recs)} subjects</h1>
<p>Catalogue {html(cat.id)} {html(cat.version)}. Levels per dimension; in brackets how
far each is below what the target stage (from the subject's profile) needs.</p>
<table><tr>{head}</tr>{rows}</table>
<div>{svg}</div>
</body></html>
"""


def _heat_map(recs: list[dict[str, Any]], cat: Catalogue) -> str:
    """The subjects x dimensions heat map as SVG: Vega-Lite when the chart engine is installed,
    else drawn by :mod:`mlkaizen.report.svgchart`."""
    from mlkaizen.report.chart import engine_available

    if not engine_available():
        from mlkaizen.report.svgchart import heat_map

        return heat_map(
            [str(r["subject"]) for r in recs],
            [d.name for d in cat.dimensions],
            [[int(r[d.id]) for d in cat.dimensions] for r in recs],
        )
    import altair as alt
    import vl_convert as vlc

    cells = [
        {"subject": visible(r["subject"]), "dimension": visible(d.name), "level": r[d.id]}
        for r in recs
        for d in cat.dimensions
    ]
    data = alt.Data(values=cells)  # type: ignore[no-untyped-call]
    chart = (
        alt.Chart(data)
        .mark_rect()
        .encode(
            x=alt.X(
                "dimension:N",
                sort=[visible(d.name) for d in cat.dimensions],
                title=None,
                axis=alt.Axis(labelAngle=0, labelLimit=110),
            ),
            y=alt.Y("subject:N", title=None),
            color=alt.Color(
                "level:Q", scale=alt.Scale(domain=[0, 3], scheme="greens"), title="level"
            ),
            tooltip=["subject:N", "dimension:N", "level:Q"],
        )
        .properties(width=420, height=max(60, 28 * len(recs)), title="Capability levels")
    )
    text = (
        alt.Chart(data)
        .mark_text()
        .encode(
            x=alt.X("dimension:N", sort=[visible(d.name) for d in cat.dimensions]),
            y="subject:N",
            text="level:Q",
        )
    )
    svg: str = vlc.vegalite_to_svg((chart + text).to_dict())
    return svg
