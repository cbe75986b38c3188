"""The ML delivery metrics as JSON, Markdown, self-contained HTML and a Rich table.

Every metric shows its value with its unit, its trend, direction, confidence and source; a
metric without a value reads "not measured" with the reason. Every value that came from a
source (the subject's name, the notes, the details) is escaped for its format by
:mod:`mlkaizen.report.escape`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from mlkaizen.evidence.delivery_metrics import DeliveryMetrics, Metric
from mlkaizen.report.escape import html, md_text, terminal
from mlkaizen.report.sparkline import blocks, number, sparkline_svg

if TYPE_CHECKING:
    from rich.console import Console

SCHEMA_VERSION = "1.0"
TITLE = "ML delivery metrics"
COLUMNS = ("Metric", "Value", "Trend", "Direction", "Confidence", "Source")
NOT_MEASURED = "not measured"


def to_json(metrics: DeliveryMetrics) -> str:
    """The metrics as the pydantic model serialises them, with a ``schema_version`` first;
    keys in a fixed order, indented, ending with a newline."""
    data = {"schema_version": SCHEMA_VERSION, **metrics.model_dump(mode="json")}
    return json.dumps(data, indent=2) + "\n"


def value_text(m: Metric) -> str:
    """``1.5 per 30 days``, ``≥ 36 hours`` (a lower bound), ``25%``, or ``not measured
    (reason)``."""
    if m.value is None:
        return f"{NOT_MEASURED} ({m.detail})" if m.detail else NOT_MEASURED
    bound = "≥ " if m.lower_bound else ""
    unit = "%" if m.unit == "%" else f" {m.unit}"
    return f"{bound}{number(m.value)}{unit}"


def trend_text(m: Metric) -> str:
    """The trend as block characters, ``-`` without periods."""
    return blocks([p.value for p in m.trend]) if m.trend else "-"


def source_text(m: Metric) -> str:
    return m.source or "none"


def _window(metrics: DeliveryMetrics) -> str:
    days = (metrics.until - metrics.since).total_seconds() / 86400
    sources = ", ".join(metrics.sources) or "none"
    return (
        f"window {metrics.since:%Y-%m-%d %H:%M} to {metrics.until:%Y-%m-%d %H:%M} UTC "
        f"({number(days)} days) · sources read: {sources}"
    )


def _measured(metrics: DeliveryMetrics) -> list[Metric]:
    """The metrics with a value: how each was measured is said under the table (a metric
    without one says why in its value)."""
    return [m for m in metrics.metrics if m.value is not None]


def _cells(m: Metric) -> tuple[str, ...]:
    return (
        m.name,
        value_text(m),
        trend_text(m),
        m.direction.value,
        m.confidence.value,
        source_text(m),
    )


# ------------------------------------------------------------------ Markdown


def to_markdown(metrics: DeliveryMetrics, subject: str) -> str:
    """A heading, the window and sources, a table of the four metrics, how each was
    measured, and the sources' notes."""
    out = [
        f"## {TITLE}: {md_text(subject)}",
        "",
        md_text(_window(metrics)),
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    out += ["| " + " | ".join(md_text(c) for c in _cells(m)) + " |" for m in metrics.metrics]
    out.append("")
    out += [f"- **{md_text(m.name)}**: {md_text(m.detail)}" for m in _measured(metrics)]
    if metrics.notes:
        out += ["", "**Notes**", ""]
        out += [f"- {md_text(note)}" for note in metrics.notes]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ HTML

_CSS = (
    "body{font-family:system-ui,Helvetica,Arial,sans-serif;margin:2rem;color:#1d2330}"
    "table{border-collapse:collapse}th,td{padding:.35rem .7rem;text-align:left;"
    "border-bottom:1px solid #e3e6ec;vertical-align:middle}"
    ".detail{color:#5b6475;font-size:.9em}.muted{color:#5b6475}"
)
_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def to_html(metrics: DeliveryMetrics, subject: str) -> str:
    """One self-contained page: inline style and SVG, no script, nothing loaded from
    outside (a Content-Security-Policy says so to the browser too)."""
    rows: list[str] = []
    for m in metrics.metrics:
        name, value, _, direction, confidence, source = (html(c) for c in _cells(m))
        spark = sparkline_svg([p.value for p in m.trend], m.name) if m.trend else "-"
        rows.append(
            f'<tr id="{html(m.id)}"><td>{name}</td><td>{value}</td><td>{spark}</td>'
            f"<td>{direction}</td><td>{confidence}</td><td>{source}</td></tr>"
        )
        if m.value is not None:
            rows.append(
                f'<tr><td colspan="{len(COLUMNS)}" class="detail">{html(m.detail)}</td></tr>'
            )
    head = "".join(f"<th>{html(c)}</th>" for c in COLUMNS)
    notes = ""
    if metrics.notes:
        items = "".join(f"<li>{html(n)}</li>" for n in metrics.notes)
        notes = f"<h2>Notes</h2><ul>{items}</ul>"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        f"<title>{html(f'{TITLE} · {subject}')}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body><main>\n<h1>{html(f'{TITLE}: {subject}')}</h1>\n"
        f'<p class="muted">{html(_window(metrics))}</p>\n'
        f"<table><thead><tr>{head}</tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + f"\n</tbody></table>\n{notes}\n</main></body>\n</html>\n"
    )


# ------------------------------------------------------------------ terminal


def print_text(metrics: DeliveryMetrics, subject: str, console: Console) -> None:
    """A Rich table of the four metrics, then how each was measured and the notes; every
    value printed as plain text (never parsed as markup), control characters visible."""
    from rich import box
    from rich.table import Table

    console.print(terminal(f"{TITLE} · {subject}", style="bold"))
    console.print(terminal(_window(metrics), style="dim"))
    # four narrow columns fit 80 characters; each metric's source and how it was measured
    # (or why it was not) follow the table, one line each
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("Metric", "Value", "Trend", "Confidence"):
        table.add_column(column, no_wrap=True)
    for m in metrics.metrics:
        value = value_text(m) if m.value is not None else NOT_MEASURED
        trend = f"{trend_text(m)} {m.direction.value}"
        table.add_row(*(terminal(c) for c in (m.name, value, trend, m.confidence.value)))
    console.print(table)
    for m in metrics.metrics:
        how = m.detail or "no event to measure from"
        console.print(terminal(f"{m.name} ({source_text(m)}): {how}"))
    for note in metrics.notes:
        console.print(terminal(f"note: {note}", style="yellow"))
