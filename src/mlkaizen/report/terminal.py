"""Terminal: Rich, readable in 80 columns."""

from __future__ import annotations

import io

from mlkaizen.engine.model import Assessment, State
from mlkaizen.report.context import STATE_MARK, RenderContext, location

STATE_STYLE = {State.MET: "green", State.PARTIAL: "yellow", State.UNMET: "red",
               State.UNKNOWN: "magenta", State.NOT_APPLICABLE: "dim", State.EXEMPT: "cyan"}


def render(a: Assessment, ctx: RenderContext) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    buf = io.StringIO()
    con = Console(file=buf, width=ctx.width, force_terminal=ctx.color, no_color=not ctx.color,
                  highlight=False, soft_wrap=False)
    head = Text(f"MLKaizen · {a.subject.name}", style="bold")
    con.print(head)
    stage = Text("Stage: ", style="bold")
    stage.append(f"{a.stage}", style="bold green")
    stage.append(f" ({a.stage_index}/5, confirmed)")
    if a.potential_stage_index > a.stage_index:
        stage.append(f"  potential: {a.potential_stage}", style="magenta")
    con.print(stage)
    con.print(a.explanation, style="")
    con.print()
    table = Table(title=None, expand=False, show_lines=False, pad_edge=False)
    table.add_column("Dimension")
    table.add_column("Level")
    table.add_column("Pot.", justify="right")
    table.add_column("Sat.", justify="right")
    for d in a.dimensions:
        table.add_row(d.name, f"{d.level} {d.level_name}", str(d.potential_level),
                      f"{d.met}/{d.total}")
    con.print(table)
    blockers = [(d, b) for d in a.dimensions for b in d.blockers]
    if blockers and a.next_stage:
        con.print(Text(f"Blocks {a.next_stage}:", style="bold"))
        for d, b in blockers:
            line = Text(f"  {STATE_MARK[b.state]} ", style=STATE_STYLE[b.state])
            line.append(f"{b.practice}", style="bold")
            line.append(f" [{b.state.value}] {b.title}")
            con.print(line)
        con.print()
    evidence = [p for p in a.practices if p.state in (State.MET, State.PARTIAL)]
    if evidence:
        con.print(Text("Evidence:", style="bold"))
        for p in evidence:
            line = Text(f"  {STATE_MARK[p.state]} ", style=STATE_STYLE[p.state])
            line.append(p.id)
            where = location(p.evidence[0].file, p.evidence[0].line) if p.evidence else ""
            line.append(f"  {where or p.note}", style="dim")
            con.print(line)
        con.print()
    if a.roadmap:
        con.print(Text(f"Roadmap ({len(a.roadmap)} steps):", style="bold"))
        for item in a.roadmap[:12]:
            con.print(f"  {item.step:>2}. [{item.effort}] {item.practice} — {item.title} "
                      f"(for {item.for_stage})")
        if len(a.roadmap) > 12:
            con.print(f"  … {len(a.roadmap) - 12} more: --format markdown|html|json")
        con.print()
    if a.questions:
        con.print(Text(f"Open questions ({len(a.questions)}):", style="bold"))
        for q in a.questions[:8]:
            mark = "!" if q.blocks_next_stage else " "
            con.print(f"  {mark} {q.practice}: {q.question}")
        if len(a.questions) > 8:
            con.print(f"    … {len(a.questions) - 8} more (attest answers in .mlkaizen.yaml)")
        con.print()
    if a.subject.kind == "ml-tool-source":
        con.print("Note: this repository is an ML tool's own source; see explanation.",
                  style="yellow")
    if a.warnings:
        con.print(Text(f"{len(a.warnings)} scan warning(s):", style="yellow"))
        for w in a.warnings[:5]:
            con.print(f"  {location(w.file, w.line)} {w.message}", style="yellow")
        if len(a.warnings) > 5:
            con.print(f"  … {len(a.warnings) - 5} more in --format json", style="yellow")
    return buf.getvalue()
