"""Terminal: Rich, readable in 80 columns (lists wrap with a hanging indent)."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from mlkaizen.engine.explain import level_text
from mlkaizen.engine.model import Assessment, State
from mlkaizen.report.context import (
    STATE_MARK,
    SURVEY_HINT,
    RenderContext,
    count,
    evidence_text,
    location,
)
from mlkaizen.report.escape import terminal, visible

if TYPE_CHECKING:
    from rich.console import Console

STATE_STYLE = {
    State.MET: "green",
    State.PARTIAL: "yellow",
    State.UNMET: "red",
    State.UNKNOWN: "magenta",
    State.NOT_APPLICABLE: "dim",
    State.EXEMPT: "cyan",
}


def _rows(con: Console, title: str, rows: list[tuple[str, str, str]]) -> None:
    """A heading and a two-column grid: a short styled mark, then wrapping text. Every
    value is shown as plain text with its control characters made visible."""
    from rich.table import Table

    con.print(terminal(title, style="bold"))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, justify="right")
    grid.add_column(overflow="fold")
    for mark, style, text in rows:
        grid.add_row(terminal(mark, style=style), terminal(text))
    con.print(grid)
    con.print()


def _header(con: Console, a: Assessment) -> None:
    from rich.table import Table
    from rich.text import Text

    con.print(terminal(f"MLKaizen · {a.subject.name}", style="bold"))
    stage = Text("Stage: ", style="bold")
    stage.append(visible(a.stage), style="bold green")
    stage.append(f" ({a.stage_index}/5, confirmed)")
    if a.potential_stage_index > a.stage_index:
        stage.append(f" · potential {visible(a.potential_stage)}", style="magenta")
    con.print(stage)
    con.print(terminal(a.explanation))
    if (answers := a.answers_line()) is not None:  # the survey answers this run used, under
        con.print(terminal(answers))  # the summary as in Markdown and HTML
    if a.live is not None:  # the live sources read (MLflow, git history) and what they measure
        con.print(terminal(a.live.line()))
    con.print()
    from rich import box

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for name, justify in (
        ("Dimension", "left"),
        ("Level", "left"),
        ("Pot.", "right"),
        ("Sat.", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for d in a.dimensions:
        table.add_row(
            terminal(d.name),
            terminal(f"{d.level} {d.level_name}"),
            str(d.potential_level),
            f"{d.met}/{d.total}",
        )
    con.print(table)
    if any(d.rules for d in a.dimensions):
        _rows(con, "Why these levels:", [("·", "", level_text(d, a)) for d in a.dimensions])


def _since_rows(a: Assessment) -> list[tuple[str, str, str]]:
    """Stage, then each practice lost or gained with the evidence that went or came."""
    c = a.previous
    assert c is not None
    stage = a.stage if c.stage_before == a.stage else f"{c.stage_before} -> {a.stage}"
    rows = [("", "", f"stage {stage}")]
    groups = (("-", "red", "lost", c.lost), ("+", "green", "gained", c.gained))
    for sign, style, word, moves in groups:
        for m in moves:
            plan = f"; open plan item #{m.open_plan_item} covered it" if m.open_plan_item else ""
            rows.append((sign, style, f"{word} {m.practice} ({m.before} -> {m.after}){plan}"))
            rows += [("", "", f"  + {evidence_text(e)}") for e in m.evidence_appeared[:5]]
            rows += [("", "", f"  - {evidence_text(e)}") for e in m.evidence_disappeared[:5]]
    if not c.lost and not c.gained:
        rows.append(("", "", "no practice gained or lost"))
    return rows


def _evidence_rows(a: Assessment) -> list[tuple[str, str, str]]:
    """A row per met or partial practice: where its first evidence is, or its note; an
    implied practice names what implies it."""
    rows = []
    for p in a.practices:
        if p.state not in (State.MET, State.PARTIAL):
            continue
        first = p.evidence[0] if p.evidence else None
        where = location(first.file, first.line) if first and first.file else p.note
        if p.implied_by:
            where = f"implied by {' + '.join(p.implied_by)} ({where})"
        rows.append((STATE_MARK[p.state], STATE_STYLE[p.state], f"{p.id}  {where}"))
    return rows


def render(a: Assessment, ctx: RenderContext) -> str:
    from rich.console import Console

    buf = io.StringIO()
    con = Console(
        file=buf, width=ctx.width, force_terminal=ctx.color, no_color=not ctx.color, highlight=False
    )
    _header(con, a)
    if a.baseline is not None:
        c = a.baseline
        rows = [("", "", f"stage {c.stage_before} -> {a.stage}")]
        rows += [
            ("-", "red", f"lost {ch.practice} ({ch.before.value} -> {ch.after.value})")
            for ch in c.lost
        ]
        rows += [("+", "green", f"gained {ch.practice}") for ch in c.gained]
        _rows(con, "Since the baseline:", rows)
    if a.previous is not None:
        _rows(con, f"Since the stored assessment {a.previous.previous}:", _since_rows(a))
    if a.overdue_plans:
        _rows(
            con,
            f"Overdue plan items ({len(a.overdue_plans)}):",
            [
                ("!", "red", f"#{i.id} {i.practice}, owner {i.owner}, due {i.due.isoformat()}")
                for i in a.overdue_plans
            ],
        )
    blockers = [b for d in a.dimensions for b in d.blockers]
    if blockers and a.next_stage:
        _rows(
            con,
            f"Blocks {a.next_stage}:",
            [
                (
                    STATE_MARK[b.state],
                    STATE_STYLE[b.state],
                    f"{b.practice} [{b.state.value}"
                    + (", supporting" if b.role != "core" else "")
                    + f"] {b.title}",
                )
                for b in blockers
            ],
        )
    if a.sub_projects:
        _rows(
            con,
            f"Sub-projects ({len(a.sub_projects)}), each on its own evidence:",
            [
                (
                    str(sp.stage_index),
                    "bold",
                    f"{sp.path}: {sp.stage}, levels "
                    + " ".join(str(v) for v in sp.levels.values())
                    + (f"; blocked by {sp.blocker}" if sp.blocker else ""),
                )
                for sp in a.sub_projects
            ],
        )
    evidence = _evidence_rows(a)
    if evidence:
        _rows(con, "Evidence:", evidence)
    talk = [p for p in a.practices if p.conflict or p.disagreement]
    if talk:
        rows = [("!", "red", f"{p.id}: {p.conflict}") for p in talk if p.conflict]
        rows += [
            ("~", "yellow", f"{p.id}: respondents disagree (agreement {p.agreement:.0%}); {p.note}")
            for p in talk
            if p.disagreement and p.agreement is not None
        ]
        _rows(con, f"To discuss ({count(len(a.respondents), 'respondent')}):", rows)
    if a.roadmap:
        rows = [
            (
                f"{r.step}.",
                "bold",
                f"[{'?' if r.action == 'verify' else r.effort}] {r.practice}: {r.headline()} "
                f"(for {r.for_stage})",
            )
            for r in a.roadmap
        ]
        _rows(con, f"Roadmap ({count(len(a.roadmap), 'step')}):", rows)
    if a.questions:
        rows = [
            ("!" if q.blocks_next_stage else "?", "magenta", f"{q.practice}: {q.question}")
            for q in a.questions[:8]
        ]
        more = f"… {len(a.questions) - 8} more; " if len(a.questions) > 8 else ""
        rows.append(("", "", f"{more}{SURVEY_HINT}"))
        confirm = sum(q.confirms is not None for q in a.questions)
        to_confirm = f", {confirm} to confirm" if confirm else ""
        _rows(
            con,
            f"Open questions ({len(a.questions)}{to_confirm}, ! blocks the next stage):",
            rows,
        )
    if a.warnings:
        rows = [
            ("!", "yellow", f"{location(w.file, w.line)} {w.message}".strip())
            for w in a.warnings[:5]
        ]
        if len(a.warnings) > 5:
            rows.append(("", "", f"… {len(a.warnings) - 5} more in --format json"))
        _rows(con, f"Scan warnings ({len(a.warnings)}):", rows)
    text = buf.getvalue()
    if not ctx.color:  # no trailing padding in plain text (files, pipes, PR comments)
        text = "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
    else:  # nor the spaces a wrapped coloured line keeps at its end
        text = re.sub(r" +(?=\n)", "", text)
    return text
