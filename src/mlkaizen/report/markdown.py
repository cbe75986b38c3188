"""Markdown, sized for a pull-request comment: stage, levels, blockers, roadmap, questions."""

from __future__ import annotations

from mlkaizen.engine.model import Assessment, State
from mlkaizen.report.context import STATE_MARK, RenderContext, count, location


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def render(a: Assessment, ctx: RenderContext) -> str:
    out: list[str] = [f"## MLKaizen: {a.stage}", ""]
    potential = (
        f" · potential **{a.potential_stage}** once open questions are answered"
        if a.potential_stage_index > a.stage_index
        else ""
    )
    out += [f"**Stage {a.stage_index}/5: {a.stage}**{potential}", "", a.explanation, ""]
    out += [
        "| Dimension | Level | Potential | Satisfied | Blocks next stage |",
        "|---|---|---|---|---|",
    ]
    for d in a.dimensions:
        blocks = ", ".join(f"{STATE_MARK[b.state]} `{b.practice}`" for b in d.blockers) or "—"
        out.append(
            f"| {d.name} | {d.level} {d.level_name} | {d.potential_level} | "
            f"{d.met}/{d.total} | {blocks} |"
        )
    out.append("")
    if a.baseline is not None:
        out += _since_baseline(a)
    talk = [p for p in a.practices if p.conflict or p.disagreement]
    if talk:
        out += [f"### To discuss ({count(len(a.respondents), 'respondent')})", ""]
        out += [f"- `{p.id}`: **conflict**: {_cell(p.conflict)}" for p in talk if p.conflict]
        out += [
            f"- `{p.id}`: respondents disagree (agreement {p.agreement:.0%}); {_cell(p.note)}"
            for p in talk
            if p.disagreement and p.agreement is not None
        ]
        out.append("")
    if a.roadmap:
        out += [f"### Roadmap ({count(len(a.roadmap), 'step')})", ""]
        for item in a.roadmap[:15]:
            out.append(
                f"{item.step}. **{_cell(item.title)}** (`{item.practice}`, effort "
                f"{item.effort}, for {item.for_stage}) — {_cell(item.remediation)}"
            )
        if len(a.roadmap) > 15:
            out.append(f"\n…and {len(a.roadmap) - 15} more steps in the full report.")
        out.append("")
    if a.questions:
        out += [
            "<details><summary>Open questions "
            f"({len(a.questions)}) the repository could not answer</summary>",
            "",
        ]
        for q in a.questions:
            flag = " **(blocks next stage)**" if q.blocks_next_stage else ""
            out.append(f"- `{q.practice}`: {_cell(q.question)}{flag}")
        out += ["", "</details>", ""]
    met = [p for p in a.practices if p.state in (State.MET, State.PARTIAL) and p.evidence]
    if met:
        out += [
            "<details><summary>Evidence</summary>",
            "",
            "| Practice | State | Evidence |",
            "|---|---|---|",
        ]
        for p in met:
            ev = p.evidence[0]
            where = location(ev.file, ev.line)
            link = f"[`{where}`]({ctx.link(ev.file, ev.line)})" if ev.file else ""
            out.append(
                f"| `{p.id}` | {STATE_MARK[p.state]} {p.state.value} | {_cell(ev.detail)} {link} |"
            )
        out += ["", "</details>", ""]
    if a.warnings:
        out.append(f"_{len(a.warnings)} scan warning(s); see the JSON or HTML report._")
        out.append("")
    out.append(
        f"<sub>catalogue {a.catalogue['id']} {a.catalogue['version']} · "
        f"mlkaizen {a.tool_version}</sub>"
    )
    return "\n".join(out) + "\n"


def _since_baseline(a: Assessment) -> list[str]:
    c = a.baseline
    assert c is not None
    arrow = (
        "↑"
        if a.stage_index > c.stage_index_before
        else ("↓" if a.stage_index < c.stage_index_before else "=")
    )
    out = [
        "### Since the baseline",
        "",
        f"Stage: {c.stage_before} → **{a.stage}** {arrow}",
        "",
        "| Dimension | Before | After |",
        "|---|---|---|",
    ]
    for d in a.dimensions:
        before = c.levels_before.get(d.id)
        mark = "" if before is None or before == d.level else (" ↑" if d.level > before else " ↓")
        out.append(f"| {d.name} | {'—' if before is None else before} | {d.level}{mark} |")
    out.append("")
    if c.lost:
        out.append(
            "**Lost:** "
            + ", ".join(f"`{ch.practice}` ({ch.before.value} → {ch.after.value})" for ch in c.lost)
        )
    if c.gained:
        out.append("**Gained:** " + ", ".join(f"`{ch.practice}`" for ch in c.gained))
    if not c.lost and not c.gained:
        out.append("No practice changed state.")
    if c.note:
        out += ["", f"_{_cell(c.note)}_"]
    out.append("")
    return out
