"""A history in every format: terminal (with a chart of levels against time), JSON,
Markdown and a self-contained HTML page with an SVG chart."""

from __future__ import annotations

import html

from mlkaizen.history.model import History, PracticeChange

BARS = "·▂▅█"  # levels 0..3


def render(history: History, fmt: str) -> str:
    if fmt == "json":
        return history.model_dump_json(indent=2) + "\n"
    if fmt == "markdown":
        return _markdown(history)
    if fmt == "html":
        return _html(history)
    if fmt == "terminal":
        return _terminal(history)
    from mlkaizen.errors import MLKaizenError

    raise MLKaizenError(f"history has no {fmt} format; use terminal, json, markdown or html")


def change_line(c: PracticeChange) -> str:
    """``+ model.registry since 3f2a1c0, 2025-03-04, by Alice (Add registry)``"""
    sign, word = ("+", "since") if c.change == "gained" else ("-", "lost at")
    where = "" if c.exact else " (first seen there; the change is in the commits before)"
    return (
        f"{sign} {c.practice} {word} {c.commit.short}, {c.commit.day}, by {c.commit.author}"
        f" ({c.commit.message}){where}"
    )


def _span(h: History) -> str:
    if not h.points:
        return "no points"
    first, last = h.points[0].commit.day, h.points[-1].commit.day
    return f"{len(h.points)} points, {first} .. {last}"


def _terminal(h: History) -> str:
    dims = list(h.dimensions)
    width = max((len(n) for n in h.dimensions.values()), default=4)
    lines = [f"MLKaizen history · {h.subject} ({_span(h)})", ""]
    header = f"{'date':<10}  {'commit':<7}  {'stage':<18}  "
    header += " ".join(d[:5].ljust(5) for d in dims)
    lines += [header, "─" * len(header)]
    for p in h.points:
        levels = " ".join(str(p.levels.get(d, 0)).ljust(5) for d in dims)
        lines.append(f"{p.commit.day:<10}  {p.commit.short:<7}  {p.stage[:18]:<18}  {levels}")
    lines += ["", "Levels over time (one column a point; · 0, ▂ 1, ▅ 2, █ 3):"]
    for d, name in h.dimensions.items():
        bars = "".join(BARS[max(0, min(3, p.levels.get(d, 0)))] for p in h.points)
        lines.append(f"  {name:<{width}}  {bars}")
    stages = "".join(str(p.stage_index) for p in h.points)
    lines.append(f"  {'Stage':<{width}}  {stages}")
    lines += ["", f"Practices gained and lost ({len(h.changes)}):"]
    lines += [f"  {change_line(c)}" for c in h.changes] or ["  none"]
    lines += _tail(h)
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _tail(h: History) -> list[str]:
    out: list[str] = []
    if h.skipped:
        out += ["", f"Commits skipped ({len(h.skipped)}):"]
        out += [f"  {s.commit[:7]}: {s.reason}" for s in h.skipped]
    out += [f"Note: {n}" for n in h.notes]
    return out


def _markdown(h: History) -> str:
    dims = list(h.dimensions)
    lines = [f"# MLKaizen history · {h.subject}", "", f"{_span(h)}.", ""]
    lines.append("| date | commit | stage | " + " | ".join(h.dimensions[d] for d in dims) + " |")
    lines.append("|---|---|---|" + "---:|" * len(dims))
    for p in h.points:
        levels = " | ".join(str(p.levels.get(d, 0)) for d in dims)
        lines.append(f"| {p.commit.day} | `{p.commit.short}` | {p.stage} | {levels} |")
    lines += ["", "## Practices gained and lost", ""]
    lines += [f"- {change_line(c).replace(c.practice, f'`{c.practice}`', 1)}" for c in h.changes]
    if not h.changes:
        lines.append("None.")
    lines += _tail(h)
    return "\n".join(lines) + "\n"


def _svg(h: History) -> str:
    w, row, left = 640, 22, 190
    step = (w - left - 20) / max(1, len(h.points) - 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" '
        f'height="{row * (len(h.dimensions) + 1) + 10}" role="img" '
        'aria-label="dimension levels over time">'
    ]
    for r, (d, name) in enumerate(h.dimensions.items()):
        y = row * (r + 1)
        parts.append(f'<text x="4" y="{y}" font-size="12">{html.escape(name)}</text>')
        for i, p in enumerate(h.points):
            level = p.levels.get(d, 0)
            x = left + i * step
            parts.append(
                f'<rect x="{x - 3:.1f}" y="{y - 4 * level - 2}" width="6" height="{4 * level + 2}" '
                f'fill="#2b6cb0"><title>{p.commit.day} {p.commit.short}: {level}</title></rect>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _html(h: History) -> str:
    esc = html.escape
    rows = "".join(
        f"<tr><td>{p.commit.day}</td><td><code>{p.commit.short}</code></td><td>{esc(p.stage)}</td>"
        + "".join(f"<td>{p.levels.get(d, 0)}</td>" for d in h.dimensions)
        + "</tr>"
        for p in h.points
    )
    head = "".join(f"<th>{esc(n)}</th>" for n in h.dimensions.values())
    changes = "".join(f"<li>{esc(change_line(c))}</li>" for c in h.changes) or "<li>none</li>"
    notes = "".join(f"<p>{esc(line)}</p>" for line in _tail(h) if line)
    return (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        f"<title>MLKaizen history · {esc(h.subject)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px}</style>"
        f"<h1>MLKaizen history · {esc(h.subject)}</h1><p>{esc(_span(h))}</p>{_svg(h)}"
        f"<table><tr><th>date</th><th>commit</th><th>stage</th>{head}</tr>{rows}</table>"
        f"<h2>Practices gained and lost</h2><ul>{changes}</ul>{notes}</html>\n"
    )
