"""Many subjects side by side (``mlkaizen map``): stage, levels, target and gap, as a table
and a heat map; terminal, Markdown, CSV, JSON and HTML."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from dataclasses import dataclass
from typing import Any

from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.engine.model import Assessment
from mlkaizen.report.escape import csv_cell, html, md_text, terminal, visible
from mlkaizen.textfmt import counted


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
    # the survey answers each subject's assessment used, as every report says
    used = [
        f"{r.subject}: {line}" for r in rows if (line := r.assessment.answers_line()) is not None
    ]
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
        lines += ["", *(f"_{md_text(u)}_" for u in used)] if used else []
        return "\n".join(lines) + "\n"
    if fmt == "html":
        return _html(header, body, recs, cat, used)
    table = _terminal(header, body, width)
    if not used:
        return table
    notes = [textwrap.fill(visible(u), width) if width else visible(u) for u in used]
    return table.rstrip("\n") + "\n\n" + "\n".join(notes) + "\n"


def _terminal(header: list[str], body: list[list[Any]], width: int | None) -> str:
    """A table when it fits ``width``; else one block a subject (its name, then its stage
    and target, then its levels), wrapped at spaces: never a table broken into fragments."""
    from rich.console import Console
    from rich.table import Column, Table

    buf = io.StringIO()
    table = Table(*(Column(terminal(h), no_wrap=True) for h in header))
    for row in body:
        table.add_row(*(terminal(str(c)) for c in row))
    Console(file=buf, width=10_000, no_color=True, force_terminal=False).print(table)
    lines = [line.rstrip() for line in buf.getvalue().splitlines()]
    if width is None or max(len(line) for line in lines) <= width:
        return "\n".join(lines) + "\n"
    out: list[str] = []
    for row in body:
        subject, stage, target, gap, *levels = (visible(str(c)) for c in row)
        out.append(textwrap.fill(subject, width))
        aim = "" if target == "—" else f" · target {target} (gap {gap})"
        out.append(textwrap.fill(f"stage {stage}{aim}", width, initial_indent="  ",
                                 subsequent_indent="    "))
        # a dimension and its level never part: they are joined by no-break spaces to wrap
        cells = [
            f"{visible(h)} {v}".replace(" ", "\xa0")
            for h, v in zip(header[4:], levels, strict=True)
        ]
        text = textwrap.fill(" · ".join(cells), width, initial_indent="  ",
                             subsequent_indent="    ", break_on_hyphens=False,
                             break_long_words=False)
        out.append(text.replace("\xa0", " "))
        out.append("")
    return "\n".join(out)


def _html(
    header: list[str],
    body: list[list[Any]],
    recs: list[dict[str, Any]],
    cat: Catalogue,
    used: list[str],
) -> str:
    from mlkaizen.report.html import report_css

    svg = _heat_map(recs, cat)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html(str(c))}</td>" for c in row) + "</tr>" for row in body
    )
    head = "".join(f"<th>{html(h)}</th>" for h in header)
    answers = "".join(f'<p class="muted answers">{html(u)}</p>' for u in used)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MLKaizen map</title>
<style>
{report_css()}</style></head><body><main>
<h1>MLKaizen map: {counted(len(recs), "subject")}</h1>
<div class="muted">catalogue {html(cat.id)} {html(cat.version)}</div>
<div class="card" id="chart">{svg}</div>
<h2>Subjects</h2>
<p class="muted">Levels per dimension; in brackets how far each is below what the target
stage (from the subject's profile) needs.</p>
<table><tr>{head}</tr>{rows}</table>
{answers}
</main></body></html>
"""


def _heat_map(recs: list[dict[str, Any]], cat: Catalogue) -> str:
    """The subjects x dimensions heat map as SVG, with each subject's stage coloured as the
    badge and a legend: Vega-Lite when the chart engine is installed, else drawn by
    :mod:`mlkaizen.report.svgchart`."""
    from mlkaizen.report.chart import engine_available
    from mlkaizen.report.svgchart import GREENS, STAGE_COLORS, heat_map

    level_names = [lv.name for lv in sorted(cat.levels, key=lambda lv: lv.value)]
    if not engine_available():
        return heat_map(
            [visible(str(r["subject"])) for r in recs],
            [visible(d.name) for d in cat.dimensions],
            [[int(r[d.id]) for d in cat.dimensions] for r in recs],
            stages=[(int(r["stage_index"]), visible(str(r["stage"]))) for r in recs],
            level_names=[visible(n) for n in level_names],
            stage_names=[visible(st.name) for st in sorted(cat.stages, key=lambda st: st.index)],
        )
    import altair as alt
    import vl_convert as vlc

    subjects = [visible(str(r["subject"])) for r in recs]
    named = {lv.value: visible(f"{lv.value} {lv.name}") for lv in cat.levels}
    cells = [
        {
            "subject": visible(str(r["subject"])),
            "dimension": visible(d.name),
            "level": named.get(int(r[d.id]), str(r[d.id])),
            "value": r[d.id],
        }
        for r in recs
        for d in cat.dimensions
    ]
    y = alt.Y("subject:N", sort=subjects, title=None, axis=alt.Axis(labelLimit=0))
    data = alt.Data(values=cells)  # type: ignore[no-untyped-call]
    levels = [named[v] for v in sorted(named)]
    chart = (
        alt.Chart(data)
        .mark_rect(stroke="#dde1e8")
        .encode(
            x=alt.X(
                "dimension:N",
                sort=[visible(d.name) for d in cat.dimensions],
                title=None,
                axis=alt.Axis(labelAngle=0, labelLimit=0, orient="top"),
            ),
            y=alt.Y("subject:N", sort=subjects, title=None, axis=None),
            color=alt.Color(
                "level:O",
                scale=alt.Scale(domain=levels, range=list(GREENS[: len(levels)])),
                title="Level",
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=["subject:N", "dimension:N", "level:N"],
        )
        .properties(width=130 * len(cat.dimensions), height={"step": 28})
    )
    text = (
        alt.Chart(data)
        .mark_text()
        .encode(
            x=alt.X("dimension:N", sort=[visible(d.name) for d in cat.dimensions]),
            y=alt.Y("subject:N", sort=subjects, axis=None),
            text="value:Q",
            color=alt.condition("datum.value >= 2", alt.value("#ffffff"), alt.value("#1d2330")),
        )
    )
    stage_names = {s.index: visible(s.name) for s in cat.stages}
    stage_rows = [
        {"subject": visible(str(r["subject"])), "stage": stage_names.get(
            int(r["stage_index"]), visible(str(r["stage"])))}
        for r in recs
    ]
    stage_data = alt.Data(values=stage_rows)  # type: ignore[no-untyped-call]
    ordered = [stage_names[i] for i in sorted(stage_names)]
    stage = alt.Chart(stage_data).encode(y=y, x=alt.X("k:N", title=None, axis=alt.Axis(
        labelAngle=0, labelExpr="'Stage'", orient="top", ticks=False, domain=False)))
    stage_chart = (
        alt.layer(
            stage.mark_rect().encode(
                color=alt.Color(
                    "stage:N",
                    scale=alt.Scale(
                        domain=ordered,
                        range=[STAGE_COLORS.get(i, "#9f9f9f") for i in sorted(stage_names)],
                    ),
                    title="Stage",
                    legend=alt.Legend(orient="bottom", columns=2),
                )
            ),
            stage.mark_text().encode(text="stage:N"),
        )
        .transform_calculate(k="'Stage'")
        .properties(width=130, height={"step": 28})
    )
    both = (
        alt.hconcat(stage_chart, chart + text, spacing=6)
        .resolve_scale(color="independent")
        .properties(title="Capability levels")
    )
    svg: str = vlc.vegalite_to_svg(both.to_dict())
    return svg
