"""The report's two charts drawn as small static SVG by the project itself: the fallback used
when the chart engine (the ``charts`` extra: Altair and vl-convert) is not installed.

No script, no font or style sheet from outside: the SVG is readable as is in any browser, and
its numbers are in the text (and in each mark's ``<title>``), not only in the geometry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

FONT = 'font-family="system-ui,Helvetica,Arial,sans-serif"'
BAR, POTENTIAL, GATE = "#3b7dd8", "#b04fc9", "#d9534f"
GREENS = ("#f7fcf5", "#c7e9c0", "#74c476", "#238b45")  # levels 0..3
MAX_LEVEL = 3


@dataclass(frozen=True)
class LevelBar:
    """One dimension of the levels chart."""

    name: str
    confirmed: int
    potential: int
    gate: int


def _label_lines(name: str, width: int = 14) -> list[str]:
    """``name`` wrapped at spaces into lines of about ``width`` characters."""
    lines: list[str] = []
    for word in name.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def levels_chart(bars: Sequence[LevelBar], title: str) -> str:
    """Bars of the confirmed level per dimension, a tick at the potential level, a dashed tick
    at the level the next stage's gate asks for; y from 0 to 3."""
    col, left, top, plot_h = 96, 48, 40, 180
    width = left + col * len(bars) + 16
    height = top + plot_h + 64
    unit = plot_h / MAX_LEVEL

    def y(level: int) -> float:
        return top + plot_h - unit * max(0, min(level, MAX_LEVEL))

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="20" {FONT} font-size="14" font-weight="600">{escape(title)}</text>',
    ]
    for level in range(MAX_LEVEL + 1):
        out.append(
            f'<line x1="{left}" x2="{width - 16}" y1="{y(level):.1f}" y2="{y(level):.1f}" '
            'stroke="#e3e6ec"/>'
            f'<text x="{left - 8}" y="{y(level) + 4:.1f}" {FONT} font-size="11" '
            f'text-anchor="end">{level}</text>'
        )
    for i, bar in enumerate(bars):
        x0 = left + col * i + col / 2
        name = escape(bar.name)
        tip = (
            f"{name}: level {bar.confirmed}, potential {bar.potential}, next-stage gate "
            f"{bar.gate}"
        )
        out.append(
            f'<rect x="{x0 - 19:.1f}" y="{y(bar.confirmed):.1f}" width="38" '
            f'height="{y(0) - y(bar.confirmed):.1f}" fill="{BAR}"><title>{tip}</title></rect>'
            f'<line x1="{x0 - 19:.1f}" x2="{x0 + 19:.1f}" y1="{y(bar.potential):.1f}" '
            f'y2="{y(bar.potential):.1f}" stroke="{POTENTIAL}" stroke-width="3"/>'
        )
        if bar.gate:
            out.append(
                f'<line x1="{x0 - 26:.1f}" x2="{x0 + 26:.1f}" y1="{y(bar.gate):.1f}" '
                f'y2="{y(bar.gate):.1f}" stroke="{GATE}" stroke-width="2" '
                'stroke-dasharray="4 3"/>'
            )
        for j, line in enumerate(_label_lines(bar.name)):
            out.append(
                f'<text x="{x0:.1f}" y="{y(0) + 16 + 13 * j:.1f}" {FONT} font-size="11" '
                f'text-anchor="middle">{escape(line)}</text>'
            )
    legend_y = height - 8
    out.append(
        f'<g {FONT} font-size="11">'
        f'<rect x="{left}" y="{legend_y - 9}" width="10" height="10" fill="{BAR}"/>'
        f'<text x="{left + 14}" y="{legend_y}">confirmed level</text>'
        f'<line x1="{left + 120}" x2="{left + 134}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
        f'stroke="{POTENTIAL}" stroke-width="3"/>'
        f'<text x="{left + 138}" y="{legend_y}">potential</text>'
        f'<line x1="{left + 210}" x2="{left + 224}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
        f'stroke="{GATE}" stroke-width="2" stroke-dasharray="4 3"/>'
        f'<text x="{left + 228}" y="{legend_y}">next-stage gate</text></g>'
    )
    out.append("</svg>")
    return "\n".join(out)


def heat_map(
    subjects: Sequence[str], dimensions: Sequence[str], levels: Sequence[Sequence[int]],
    title: str = "Capability levels",
) -> str:
    """One row a subject, one column a dimension, each cell shaded and labelled by its level
    (``levels[row][column]``, 0 to 3)."""
    left = 16 + 7 * max((len(s) for s in subjects), default=0)
    col, row, top = 96, 28, 64
    width = left + col * len(dimensions) + 16
    height = top + row * len(subjects) + 16
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="16" y="20" {FONT} font-size="14" font-weight="600">{escape(title)}</text>',
    ]
    for j, dim in enumerate(dimensions):
        for k, line in enumerate(_label_lines(dim)[:2]):
            out.append(
                f'<text x="{left + col * j + col / 2:.1f}" y="{38 + 13 * k}" {FONT} '
                f'font-size="11" text-anchor="middle">{escape(line)}</text>'
            )
    for i, subject in enumerate(subjects):
        y0 = top + row * i
        out.append(
            f'<text x="{left - 8}" y="{y0 + 18}" {FONT} font-size="11" '
            f'text-anchor="end">{escape(subject)}</text>'
        )
        for j, dim in enumerate(dimensions):
            level = max(0, min(levels[i][j], MAX_LEVEL))
            ink = "#fff" if level >= 2 else "#1d2330"
            x0 = left + col * j
            out.append(
                f'<rect x="{x0}" y="{y0}" width="{col - 2}" height="{row - 2}" '
                f'fill="{GREENS[level]}"><title>{escape(subject)}, {escape(dim)}: level '
                f"{level}</title></rect>"
                f'<text x="{x0 + col / 2 - 1:.1f}" y="{y0 + 18}" {FONT} font-size="12" '
                f'text-anchor="middle" fill="{ink}">{level}</text>'
            )
    out.append("</svg>")
    return "\n".join(out)
