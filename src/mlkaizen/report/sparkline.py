"""A metric's trend drawn small: as a line of block characters (Markdown, terminal) and as
a static inline SVG (HTML). A period without a value is a gap, never a zero.

No script and nothing from outside; the values are also in the SVG's ``<title>``, so the
trend is readable without seeing the drawing.
"""

from __future__ import annotations

from collections.abc import Sequence

from mlkaizen.report.escape import svg

BLOCKS = "▁▂▃▄▅▆▇█"
GAP = "·"
LINE = "#3b7dd8"


def number(value: float) -> str:
    """``1.5``, ``12``, ``1,234.57``: at most two decimals, no trailing zeros."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _scale(values: Sequence[float | None]) -> tuple[float, float]:
    present = [v for v in values if v is not None]
    low, high = (min(present), max(present)) if present else (0.0, 0.0)
    return low, high


def blocks(values: Sequence[float | None]) -> str:
    """One character per period: ``▁`` lowest to ``█`` highest, ``·`` without a value; every
    value the same: all ``▄`` (all ``▁`` when they are 0)."""
    low, high = _scale(values)
    out = []
    for v in values:
        if v is None:
            out.append(GAP)
        elif high == low:
            out.append(BLOCKS[0] if v == 0 else BLOCKS[3])
        else:
            out.append(BLOCKS[round((v - low) / (high - low) * (len(BLOCKS) - 1))])
    return "".join(out)


def sparkline_svg(
    values: Sequence[float | None], label: str, width: int = 120, height: int = 28
) -> str:
    """An inline SVG: a line through the periods' values (broken where a period has none), a
    dot on each value, and ``label`` with every value in its title."""
    low, high = _scale(values)
    pad = 4
    n = len(values)
    step = (width - 2 * pad) / max(n - 1, 1)

    def point(i: int, v: float) -> tuple[float, float]:
        share = 0.5 if high == low else (v - low) / (high - low)
        return round(pad + i * step, 1), round(height - pad - share * (height - 2 * pad), 1)

    runs: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append(point(i, v))
    shown = ", ".join("none" if v is None else number(v) for v in values)
    title = svg(f"{label}: {shown}" if values else f"{label}: no period")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{title}">',
        f"<title>{title}</title>",
    ]
    for run in runs:
        if len(run) > 1:
            pts = " ".join(f"{x},{y}" for x, y in run)
            out.append(f'<polyline points="{pts}" fill="none" stroke="{LINE}" stroke-width="2"/>')
        out += [f'<circle cx="{x}" cy="{y}" r="2.5" fill="{LINE}"/>' for x, y in run]
    out.append("</svg>")
    return "".join(out)
