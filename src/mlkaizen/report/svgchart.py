"""The report's two charts drawn as small static SVG by the project itself: the fallback used
when the chart engine (the ``charts`` extra: Altair and vl-convert) is not installed.

No script, no font or style sheet from outside: the SVG is readable as is in any browser, and
its numbers are in the text (and in each mark's ``<title>``), not only in the geometry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

FONT = 'font-family="system-ui,Helvetica,Arial,sans-serif"'
BAR, POTENTIAL, GATE, HOLDS = "#3b7dd8", "#b04fc9", "#d9534f", "#2e8b57"
GREENS = ("#f7fcf5", "#c7e9c0", "#74c476", "#238b45")  # levels 0..3
MAX_LEVEL = 3
# stage 1..5, as the badge (report/badge.py)
STAGE_COLORS = {1: "#e05d44", 2: "#fe7d37", 3: "#dfb317", 4: "#97ca00", 5: "#44cc11"}


@dataclass(frozen=True)
class MatrixCell:
    """One level of one dimension: how many of its practices are satisfied, how many are
    unknown (could be either), whether the level holds, and whether the next stage needs it."""

    satisfied: int
    unknown: int
    total: int
    holds: bool
    needed: bool


@dataclass(frozen=True)
class MatrixRow:
    """One dimension of the practice matrix: its level and its cells, level 1 first."""

    name: str
    level: int
    cells: Sequence[MatrixCell]


def _label_lines(name: str, width: int = 14) -> list[str]:
    """``name`` wrapped at spaces into lines of about ``width`` characters."""
    lines: list[str] = []
    for word in name.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def text_width(text: str, size: int = 12) -> int:
    """A generous estimate of ``text``'s width in pixels at ``size`` px (sans-serif), so that
    labels are given the room they need and never cut."""
    return int(len(text) * size * 0.62) + 4


def hatch_pattern(pattern_id: str) -> str:
    """The diagonal hatching of unknown practices, as an SVG ``<pattern>``."""
    return (
        f'<pattern id="{pattern_id}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f3e6f8"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{POTENTIAL}" stroke-width="3"/></pattern>'
    )


def practice_matrix(
    rows: Sequence[MatrixRow], level_names: Sequence[str], title: str, pattern_id: str = "hatch"
) -> str:
    """Dimensions (rows) by levels (columns): in each cell a bar of the share of the level's
    practices satisfied (green where the level holds, blue where it does not yet), the
    unknown share hatched after it, ``satisfied/total`` in words, and a dashed red frame
    round each cell the next stage needs and does not have. A dimension at level 0 shows
    its progress towards level 1 like any other. The legend is the report's (HTML), shared
    with the chart engine's drawing."""
    left = 16 + max((text_width(f"{r.name} (level 0)") for r in rows), default=0)
    col, row_h, top = 170, 40, 64
    width = left + col * len(level_names) + 16
    height = top + row_h * len(rows) + 8
    bar_w = col - 70
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f"<defs>{hatch_pattern(pattern_id)}</defs>",
        f'<text x="16" y="20" {FONT} font-size="14" font-weight="600">{escape(title)}</text>',
    ]
    for j, name in enumerate(level_names):
        out.append(
            f'<text x="{left + col * j + 4}" y="{top - 10}" {FONT} font-size="12" '
            f'font-weight="600">{escape(f"Level {j + 1}")}</text>'
            f'<text x="{left + col * j + 56}" y="{top - 10}" {FONT} font-size="11" '
            f'fill="#5b6475">{escape(name)}</text>'
        )
    for i, r in enumerate(rows):
        y0 = top + row_h * i
        out.append(
            f'<text x="{left - 10}" y="{y0 + 24}" {FONT} font-size="12" text-anchor="end">'
            f"{escape(r.name)} (level {max(r.level, 0)})</text>"
        )
        for j, c in enumerate(r.cells):
            x0 = left + col * j
            total = max(c.total, 1)
            sat_w = bar_w * c.satisfied / total
            unk_w = bar_w * c.unknown / total
            tip = (
                f"{r.name}, level {j + 1}: {c.satisfied} of {c.total} practices satisfied"
                + (f", {c.unknown} unknown" if c.unknown else "")
                + ("; the level holds" if c.holds else "")
                + ("; the next stage needs it" if c.needed and not c.holds else "")
            )
            frame = (
                f' stroke="{GATE}" stroke-width="2" stroke-dasharray="5 3"'
                if c.needed and not c.holds
                else ' stroke="#e3e6ec"'
            )
            out.append(
                f'<g><title>{escape(tip)}</title>'
                f'<rect x="{x0 + 2}" y="{y0 + 3}" width="{col - 6}" height="{row_h - 6}" '
                f'rx="4" fill="#fff"{frame}/>'
                f'<rect x="{x0 + 10}" y="{y0 + 14}" width="{bar_w}" height="12" rx="2" '
                f'fill="#eceef3" stroke="#c9ced8"/>'
                f'<rect x="{x0 + 10}" y="{y0 + 14}" width="{sat_w:.1f}" height="12" '
                f'fill="{HOLDS if c.holds else BAR}"/>'
                f'<rect x="{x0 + 10 + sat_w:.1f}" y="{y0 + 14}" width="{unk_w:.1f}" '
                f'height="12" fill="url(#{pattern_id})"/>'
                f'<text x="{x0 + 16 + bar_w}" y="{y0 + 24}" {FONT} font-size="12">'
                f"{c.satisfied}/{c.total}{' ✔' if c.holds else ''}</text></g>"
            )
    out.append("</svg>")
    return "\n".join(out)


def heat_map(
    subjects: Sequence[str], dimensions: Sequence[str], levels: Sequence[Sequence[int]],
    title: str = "Capability levels",
    *,
    stages: Sequence[tuple[int, str]] | None = None,
    level_names: Sequence[str] = ("fragmented", "standardised", "automated", "improved"),
    stage_names: Sequence[str] = (),
) -> str:
    """One row a subject, one column a dimension, each cell shaded and labelled by its level
    (``levels[row][column]``, 0 to 3); first a column of each subject's stage (``stages``,
    (index, name) a row) coloured as the badge; a legend of the level shades and the stage
    colours below. Labels are whole: the columns are as wide as their longest label needs."""
    left = 16 + max((text_width(s) for s in subjects), default=0)
    col = max(96, *(text_width(line, 11) + 8 for d in dimensions for line in _label_lines(d)))
    stage_col = (
        max(110, *(text_width(name) + 12 for _, name in stages)) if stages else 0
    )
    row, top = 28, 64
    x_dims = left + stage_col
    width = max(x_dims + col * len(dimensions) + 16, 560)
    height = top + row * len(subjects) + 60
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="16" y="20" {FONT} font-size="14" font-weight="600">{escape(title)}</text>',
    ]
    if stages:
        out.append(
            f'<text x="{left + stage_col / 2:.1f}" y="38" {FONT} font-size="11" '
            'text-anchor="middle">Stage</text>'
        )
    for j, dim in enumerate(dimensions):
        for k, line in enumerate(_label_lines(dim)[:3]):
            out.append(
                f'<text x="{x_dims + col * j + col / 2:.1f}" y="{38 + 13 * k}" {FONT} '
                f'font-size="11" text-anchor="middle">{escape(line)}</text>'
            )
    for i, subject in enumerate(subjects):
        y0 = top + row * i
        out.append(
            f'<text x="{left - 8}" y="{y0 + 18}" {FONT} font-size="11" '
            f'text-anchor="end">{escape(subject)}</text>'
        )
        if stages:
            index, name = stages[i]
            out.append(
                f'<rect x="{left}" y="{y0}" width="{stage_col - 4}" height="{row - 2}" '
                f'fill="{STAGE_COLORS.get(index, "#9f9f9f")}"><title>{escape(subject)}: stage '
                f"{index} {escape(name)}</title></rect>"
                f'<text x="{left + (stage_col - 4) / 2:.1f}" y="{y0 + 18}" {FONT} '
                f'font-size="12" text-anchor="middle" fill="#1d2330">{escape(name)}</text>'
            )
        for j, dim in enumerate(dimensions):
            level = max(0, min(levels[i][j], MAX_LEVEL))
            ink = "#fff" if level >= 2 else "#1d2330"
            x0 = x_dims + col * j
            out.append(
                f'<rect x="{x0}" y="{y0}" width="{col - 2}" height="{row - 2}" '
                f'fill="{GREENS[level]}" stroke="#dde1e8"><title>{escape(subject)}, '
                f"{escape(dim)}: level {level}</title></rect>"
                f'<text x="{x0 + col / 2 - 1:.1f}" y="{y0 + 18}" {FONT} font-size="12" '
                f'text-anchor="middle" fill="{ink}">{level}</text>'
            )
    ly = top + row * len(subjects) + 22
    legend = [f'<g {FONT} font-size="11"><text x="16" y="{ly}">Level:</text>']
    x = 58
    for level, name in enumerate(level_names[: MAX_LEVEL + 1]):
        label = f"{level} {name}"
        legend.append(
            f'<rect x="{x}" y="{ly - 10}" width="14" height="12" fill="{GREENS[level]}" '
            f'stroke="#c9ced8"/><text x="{x + 18}" y="{ly}">{escape(label)}</text>'
        )
        x += 26 + text_width(label, 11)
    legend.append(f'<text x="16" y="{ly + 22}">Stage:</text>')
    x = 58
    for index, color in STAGE_COLORS.items():
        label = f"{index} {stage_names[index - 1]}" if index <= len(stage_names) else str(index)
        legend.append(
            f'<rect x="{x}" y="{ly + 12}" width="14" height="12" fill="{color}"/>'
            f'<text x="{x + 18}" y="{ly + 22}">{escape(label)}</text>'
        )
        x += 26 + text_width(label, 11)
    legend.append("</g>")
    out += legend
    out.append("</svg>")
    return "\n".join(out)


@dataclass(frozen=True)
class TimePoint:
    """One point of a history: when (seconds since the epoch, and the day as text), which
    commit, the stage (1-based) and each dimension's level."""

    when: int
    day: str
    commit: str
    stage_index: int
    stage: str
    levels: dict[str, int]


def _day_ticks(points: Sequence[TimePoint], x: Callable[[int], float], most: int = 6) -> list[
    tuple[float, str]
]:
    """Up to ``most`` dated ticks, first and last included, none closer than 70 px."""
    ticks: list[tuple[float, str]] = []
    if not points:
        return ticks
    step = max(1, (len(points) - 1) // (most - 1)) if len(points) > 1 else 1
    chosen = [*points[::step], points[-1]]
    for p in chosen:
        pos = x(p.when)
        if ticks and abs(pos - ticks[-1][0]) < 70:
            if p is points[-1]:
                ticks[-1] = (pos, p.day)
            continue
        ticks.append((pos, p.day))
    return ticks


def timeline(
    points: Sequence[TimePoint],
    dimensions: Sequence[tuple[str, str]],
    stages: Sequence[str],
    title: str,
) -> str:
    """The stage (a coloured step line over stages 1..5) and each dimension's level (a step
    line over 0..3) against time: one shared, dated x axis; each point has its commit, day
    and values in its ``<title>``."""
    left = 16 + max(
        [*(text_width(f"5 {n}", 11) for n in stages), *(text_width(n) + 24 for _, n in dimensions)],
        default=60,
    )
    plot_w, stage_h, dim_h, gap, top = 560, 120, 54, 18, 40
    width = left + plot_w + 48  # the last date is centred on the right edge
    height = top + stage_h + (dim_h + gap) * len(dimensions) + 40
    first = points[0].when if points else 0
    last = points[-1].when if points else 1
    span = max(last - first, 1)

    def x(when: int) -> float:
        if len(points) <= 1:
            return left + plot_w / 2
        return left + plot_w * (when - first) / span

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="16" y="20" {FONT} font-size="14" font-weight="600">{escape(title)}</text>',
    ]

    def panel(y0: float, h: float, low: int, high: int, *, labels: list[str],
              series: list[int], color: str, name: str, tips: list[str],
              dots: list[str]) -> None:
        def y(v: int) -> float:
            return y0 + h - (h - 8) * (max(low, min(v, high)) - low) / max(high - low, 1) - 4

        out.append(
            f'<rect x="{left}" y="{y0}" width="{plot_w}" height="{h}" fill="#fff" '
            'stroke="#dde1e8"/>'
        )
        for v, label in zip(range(low, high + 1), labels, strict=True):
            out.append(
                f'<line x1="{left}" x2="{left + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                'stroke="#eceef3"/>'
                f'<text x="{left - 6}" y="{y(v) + 4:.1f}" {FONT} font-size="11" '
                f'text-anchor="end" fill="#5b6475">{escape(label)}</text>'
            )
        if name:
            out.append(
                f'<text x="{left - 24}" y="{y0 + h / 2 + 4:.1f}" {FONT} font-size="12" '
                f'font-weight="600" text-anchor="end">{escape(name)}</text>'
            )
        if not series:
            return
        d = f"M{x(points[0].when):.1f},{y(series[0]):.1f}"
        for p, v in zip(points[1:], series[1:], strict=True):
            d += f" H{x(p.when):.1f} V{y(v):.1f}"
        if len(points) == 1:
            d += " h1"
        out.append(f'<path d="{d}" fill="none" stroke="{color}" stroke-width="2.5"/>')
        for p, v, tip, dot in zip(points, series, tips, dots, strict=True):
            out.append(
                f'<circle cx="{x(p.when):.1f}" cy="{y(v):.1f}" r="4" fill="{dot}" '
                f'stroke="#fff"><title>{escape(tip)}</title></circle>'
            )

    panel(
        top, stage_h, 1, len(stages),
        labels=[f"{i} {s}" for i, s in enumerate(stages, 1)],
        series=[p.stage_index for p in points], color="#5b6475", name="",
        tips=[f"{p.day} {p.commit}: stage {p.stage_index} {p.stage}" for p in points],
        dots=[STAGE_COLORS.get(p.stage_index, "#9f9f9f") for p in points],
    )
    y0 = top + stage_h + gap
    for dim, name in dimensions:
        series = [p.levels.get(dim, 0) for p in points]
        panel(
            y0, dim_h, 0, MAX_LEVEL, labels=["0", "", "", "3"], series=series, color=BAR,
            name=name,
            tips=[f"{p.day} {p.commit}: {name} level {v}" for p, v in zip(points, series,
                                                                          strict=True)],
            dots=[BAR] * len(points),
        )
        y0 += dim_h + gap
    for pos, day in _day_ticks(points, x):
        out.append(
            f'<line x1="{pos:.1f}" x2="{pos:.1f}" y1="{top}" y2="{y0 - gap + 4}" '
            'stroke="#c9ced8" stroke-dasharray="2 3"/>'
            f'<text x="{pos:.1f}" y="{y0 - gap + 20}" {FONT} font-size="11" '
            f'text-anchor="middle">{escape(day)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)
