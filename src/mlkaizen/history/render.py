"""A history in every format: terminal (with a chart of levels against time), JSON,
Markdown and a self-contained HTML page with an SVG chart.

Every string that came from git (commit authors and subjects), the repository (its folder
name, the reasons commits were skipped) or a catalogue goes through the escaping of the
format (:mod:`mlkaizen.report.escape`): each renderer passes its escaper to the helpers
that build the lines, so no value reaches the output unescaped."""

from __future__ import annotations

from collections.abc import Callable

from mlkaizen.history.model import History, PracticeChange
from mlkaizen.report.escape import html as esc_html
from mlkaizen.report.escape import md_code, md_text, visible
from mlkaizen.textfmt import counted

Escape = Callable[[str], str]

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


def change_line(
    c: PracticeChange, esc: Escape = visible, practice: Escape | None = None
) -> str:
    """``+ model.registry since 3f2a1c0, 2025-03-04, by Alice (Add registry)``, every value
    through ``esc`` (the practice through ``practice`` when given)."""
    sign, word = ("+", "since") if c.change == "gained" else ("-", "lost at")
    where = "" if c.exact else " (first seen there; the change is in the commits before)"
    return (
        f"{sign} {(practice or esc)(c.practice)} {word} {esc(c.commit.short)}, "
        f"{esc(c.commit.day)}, by {esc(c.commit.author)} ({esc(c.commit.message)}){where}"
    )


def _span(h: History, esc: Escape) -> str:
    """``6 points, 2025-01-15 .. 2025-04-20`` (oldest to newest, whatever order the commits
    came in), and the survey answers the newest point used, as every report says them."""
    if not h.points:
        return "no points"
    by_date = sorted(h.points, key=lambda p: p.commit.committed)
    first, last = esc(by_date[0].commit.day), esc(by_date[-1].commit.day)
    span = f"{counted(len(h.points), 'point')}, {first} .. {last}"
    newest = by_date[-1]
    if newest.respondents:
        who = ", ".join(esc(r) for r in newest.respondents)
        span += (
            f"; the newest used {counted(newest.answers_used, 'answer')} from {who}"
        )
    return span


def _terminal(h: History) -> str:
    esc = visible
    dims = [esc(d) for d in h.dimensions]
    names = {d: esc(n) for d, n in h.dimensions.items()}
    width = max((len(n) for n in names.values()), default=4)
    lines = [f"MLKaizen history · {esc(h.subject)} ({_span(h, esc)})", ""]
    header = f"{'date':<10}  {'commit':<7}  {'stage':<18}  "
    header += " ".join(d[:5].ljust(5) for d in dims)
    lines += [header, "─" * len(header)]
    for p in h.points:
        levels = " ".join(str(p.levels.get(d, 0)).ljust(5) for d in h.dimensions)
        lines.append(
            f"{esc(p.commit.day):<10}  {esc(p.commit.short):<7}  {esc(p.stage)[:18]:<18}  "
            f"{levels}"
        )
    lines += ["", "Levels over time (one column a point; · 0, ▂ 1, ▅ 2, █ 3):"]
    for d, name in names.items():
        bars = "".join(BARS[max(0, min(3, p.levels.get(d, 0)))] for p in h.points)
        lines.append(f"  {name:<{width}}  {bars}")
    stages = "".join(str(p.stage_index) for p in h.points)
    lines.append(f"  {'Stage':<{width}}  {stages}")
    lines += ["", f"Practices gained and lost ({len(h.changes)}):"]
    lines += [f"  {change_line(c, esc)}" for c in h.changes] or ["  none"]
    lines += _tail(h, esc)
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _tail(h: History, esc: Escape, markdown: bool = False) -> list[str]:
    """The commits skipped and the notes; in Markdown a list and paragraphs of their own."""
    out: list[str] = []
    if h.skipped:
        out += ["", f"Commits skipped ({len(h.skipped)}):"] + ([""] if markdown else [])
        item = "- " if markdown else "  "
        out += [f"{item}{esc(s.commit[:7])}: {esc(s.reason)}" for s in h.skipped]
    for n in h.notes:
        out += ["", f"Note: {esc(n)}"] if markdown else [f"Note: {esc(n)}"]
    return out


def _markdown(h: History) -> str:
    esc = md_text
    dims = list(h.dimensions)
    lines = [f"# MLKaizen history · {esc(h.subject)}", "", f"{_span(h, esc)}.", ""]
    names = " | ".join(esc(h.dimensions[d]) for d in dims)
    lines.append(f"| date | commit | stage | {names} |")
    lines.append("|---|---|---|" + "---:|" * len(dims))
    for p in h.points:
        levels = " | ".join(str(p.levels.get(d, 0)) for d in dims)
        lines.append(
            f"| {esc(p.commit.day)} | {md_code(p.commit.short, table=True)} | {esc(p.stage)} "
            f"| {levels} |"
        )
    lines += ["", "## Practices gained and lost", ""]
    lines += [f"- {change_line(c, esc, md_code)}" for c in h.changes]
    if not h.changes:
        lines.append("None.")
    lines += _tail(h, esc, markdown=True)
    return "\n".join(lines) + "\n"


def _stage_names(h: History) -> list[str]:
    """The catalogue's stage names, 1 first: from the built-in catalogue when the history was
    made with it, else those its points show (``stage N`` for the others)."""
    from mlkaizen.catalogues import load_catalogue

    seen = {p.stage_index: p.stage for p in h.points}
    try:
        cat = load_catalogue(None)
    except Exception:  # a catalogue that cannot load: the names the points carry
        cat = None
    if cat is not None and cat.id == h.catalogue.get("id"):
        seen = {s.index: s.name for s in cat.stages} | seen
    top = max([5, *seen])
    return [seen.get(i, f"stage {i}") for i in range(1, top + 1)]


def _svg(h: History) -> str:
    """Stage and levels against time, on a dated axis."""
    from mlkaizen.report.svgchart import TimePoint, timeline

    points = [
        TimePoint(
            when=p.commit.committed,
            day=visible(p.commit.day),
            commit=visible(p.commit.short),
            stage_index=p.stage_index,
            stage=visible(p.stage),
            levels=p.levels,
        )
        for p in sorted(h.points, key=lambda p: p.commit.committed)
    ]
    dims = [(d, visible(n)) for d, n in h.dimensions.items()]
    stages = [visible(s) for s in _stage_names(h)]
    return timeline(points, dims, stages, "Stage and levels over time")


def _html(h: History) -> str:
    from mlkaizen.report.html import report_css

    esc = esc_html
    rows = "".join(
        f"<tr><td>{esc(p.commit.day)}</td><td><code>{esc(p.commit.short)}</code></td>"
        f"<td>{esc(p.stage)}</td>"
        + "".join(f"<td>{p.levels.get(d, 0)}</td>" for d in h.dimensions)
        + "</tr>"
        for p in h.points
    )
    head = "".join(f"<th>{esc(n)}</th>" for n in h.dimensions.values())
    changes = "".join(
        f'<li class="{"met" if c.change == "gained" else "unmet"}">{change_line(c, esc)}</li>'
        for c in h.changes
    ) or "<li>none</li>"
    notes = "".join(f'<p class="muted">{line.strip()}</p>' for line in _tail(h, esc) if line)
    catalogue = " ".join(esc(str(v)) for v in h.catalogue.values())
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>MLKaizen history · {esc(h.subject)}</title>\n"
        f"<style>\n{report_css()}</style>\n</head>\n<body><main>\n"
        f"<h1>MLKaizen history: {esc(h.subject)}</h1>\n"
        f'<div class="muted">{_span(h, esc)} · catalogue {catalogue}</div>\n'
        f'<div class="card" id="chart">{_svg(h)}\n<div class="muted">Each dot is a '
        "commit assessed, coloured by its stage as the badge is (its day, commit and values "
        "in its tooltip).</div></div>\n"
        "<h2>Points</h2>\n"
        f"<table><tr><th>Date</th><th>Commit</th><th>Stage</th>{head}</tr>{rows}</table>\n"
        f"<h2>Practices gained and lost</h2>\n<ul>{changes}</ul>\n{notes}\n"
        "</main></body></html>\n"
    )
