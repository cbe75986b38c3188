"""Markdown, sized for a pull-request comment: stage, levels, blockers, roadmap, questions."""

from __future__ import annotations

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
from mlkaizen.report.escape import md_code, md_prose, md_text
from mlkaizen.textfmt import counted


def _to_confirm(a: Assessment) -> str:
    """``, 3 to confirm``: questions the repository's evidence narrows to a confirmation."""
    n = sum(q.confirms is not None for q in a.questions)
    return f", {n} to confirm" if n else ""


def _evidence_table(a: Assessment, ctx: RenderContext) -> list[str]:
    """The evidence of each met or partial practice; an implied one names what implies it."""
    out: list[str] = []
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
            link = (
                f"[{md_code(where, table=True)}]({_destination(ctx.link(ev.file, ev.line))})"
                if ev.file
                else md_code(ev.object, table=True) if ev.object else ""
            )
            implied = (
                "implied by " + " + ".join(md_code(x, table=True) for x in p.implied_by) + ": "
                if p.implied_by
                else ""
            )
            out.append(
                f"| {md_code(p.id, table=True)} | {STATE_MARK[p.state]} {p.state.value} | "
                f"{implied}{md_text(ev.detail)} {link} |"
            )
        out += ["", "</details>", ""]
    return out

def render(a: Assessment, ctx: RenderContext) -> str:
    out: list[str] = [f"## MLKaizen: {md_text(a.stage)}", ""]
    potential = (
        f" · potential **{md_text(a.potential_stage)}** once open questions are answered"
        if a.potential_stage_index > a.stage_index
        else ""
    )
    out += [
        f"**Stage {a.stage_index}/5: {md_text(a.stage)}**{potential}",
        "",
        md_text(a.explanation),
        "",
    ]
    if (answers := a.answers_line()) is not None:  # the survey answers this run used
        out += [f"_{md_text(answers)}_", ""]
    if a.live is not None:  # the live sources read and the delivery metrics they measure
        out += [f"_{md_text(a.live.line())}_", ""]
    changed_rules = [w for w in a.warnings if w.kind == "trusted-ref"]
    if changed_rules:  # assess --trusted-ref: what the pull request changed in its own rules
        out += ["### Not applied: changes to the rules", ""]
        out += [f"- {md_text(w.message)}" for w in changed_rules]
        out.append("")
    out += [
        "| Dimension | Level | Potential | Satisfied | Blocks next stage |",
        "|---|---|---|---|---|",
    ]
    for d in a.dimensions:
        blocks = (
            ", ".join(
                f"{STATE_MARK[b.state]} {md_code(b.practice, table=True)}"
                + (" (supporting)" if b.role != "core" else "")
                for b in d.blockers
            )
            or "—"
        )
        out.append(
            f"| {md_text(d.name)} | {d.level} {md_text(d.level_name)} | {d.potential_level} | "
            f"{d.met}/{d.total} | {blocks} |"
        )
    out.append("")
    if any(d.rules for d in a.dimensions):
        out += [
            "**Why these levels** (a level holds when its core practices and the quorum of its "
            "supporting ones are satisfied):",
            "",
        ]
        out += [f"- {md_text(level_text(d, a))}" for d in a.dimensions]
        out.append("")
    if a.sub_projects:
        out += _sub_projects(a)
    if a.baseline is not None:
        out += _since_baseline(a)
    if a.previous is not None:
        out += _since_previous(a)
    if a.overdue_plans:
        out += [f"### Overdue plan items ({len(a.overdue_plans)})", ""]
        out += [
            f"- #{i.id} {md_code(i.practice)}: owner {md_text(i.owner)}, due "
            f"{i.due.isoformat()}" + (f" — {md_text(i.note)}" if i.note else "")
            for i in a.overdue_plans
        ]
        out.append("")
    talk = [p for p in a.practices if p.conflict or p.disagreement]
    if talk:
        out += [f"### To discuss ({count(len(a.respondents), 'respondent')})", ""]
        out += [
            f"- {md_code(p.id)}: **conflict**: {md_text(p.conflict)}" for p in talk if p.conflict
        ]
        out += [
            f"- {md_code(p.id)}: respondents disagree (agreement {p.agreement:.0%}); "
            f"{md_text(p.note)}"
            for p in talk
            if p.disagreement and p.agreement is not None
        ]
        out.append("")
    out += _roadmap_and_questions(a)
    out += _evidence_table(a, ctx)
    if a.warnings:
        out.append(f"_{counted(len(a.warnings), 'scan warning')}; see the JSON or HTML report._")
        out.append("")
    out.append(
        f"<sub>catalogue {md_text(str(a.catalogue['id']))} "
        f"{md_text(str(a.catalogue['version']))} · "
        f"mlkaizen {a.tool_version}</sub>"
    )
    return "\n".join(out) + "\n"


def _roadmap_and_questions(a: Assessment) -> list[str]:
    """The roadmap (the next stage's blockers first, those to verify as questions), then the
    open questions, folded."""
    out: list[str] = []
    if a.roadmap:
        out += [f"### Roadmap ({count(len(a.roadmap), 'step')})", ""]
        for item in a.roadmap:
            verify = item.action == "verify"
            effort = "to verify" if verify else f"effort {item.effort}"
            # a question to verify may name evidence from the repository: shown as text; how
            # to answer it is said once, by the remediation that follows
            headline = (
                f"verify: {md_text(item.question or item.title)}" if verify else md_text(item.title)
            )
            out.append(
                f"{item.step}. **{headline}** ({md_code(item.practice)}, "
                f"{effort}, for {md_text(item.for_stage)}) — {md_prose(item.remediation)}"
            )
        out.append("")
    if a.questions:
        out += [
            "<details><summary>Open questions "
            f"({len(a.questions)}{_to_confirm(a)}) the repository could not answer</summary>",
            "",
        ]
        for q in a.questions:
            flag = " **(blocks next stage)**" if q.blocks_next_stage else ""
            # a confirmation names evidence from the repository: shown as text
            text = md_text(q.question) if q.confirms else md_prose(q.question)
            out.append(f"- {md_code(q.practice)}: {text}{flag}")
        out += ["", f"{SURVEY_HINT[0].upper()}{SURVEY_HINT[1:]}.", "", "</details>", ""]
    return out


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
        f"Stage: {md_text(c.stage_before)} → **{md_text(a.stage)}** {arrow}",
        "",
        "| Dimension | Before | After |",
        "|---|---|---|",
    ]
    for d in a.dimensions:
        before = c.levels_before.get(d.id)
        mark = "" if before is None or before == d.level else (" ↑" if d.level > before else " ↓")
        out.append(f"| {md_text(d.name)} | {'—' if before is None else before} | {d.level}{mark} |")
    out.append("")
    if c.lost:
        out.append(
            "**Lost:** "
            + ", ".join(
                f"{md_code(ch.practice)} ({ch.before.value} → {ch.after.value})" for ch in c.lost
            )
        )
    if c.gained:
        out.append("**Gained:** " + ", ".join(md_code(ch.practice) for ch in c.gained))
    if not c.lost and not c.gained:
        out.append("No practice changed state.")
    if c.note:
        out += ["", f"_{md_text(c.note)}_"]
    out.append("")
    return out


def _since_previous(a: Assessment) -> list[str]:
    c = a.previous
    assert c is not None
    stage = md_text(a.stage)
    if c.stage_before != a.stage:
        stage = f"{md_text(c.stage_before)} → **{stage}**"
    out = [f"### Since the stored assessment {md_text(c.previous)}", "", f"Stage: {stage}", ""]
    for word, moves in (("Lost", c.lost), ("Gained", c.gained)):
        for m in moves:
            plan = (
                f" — **open plan item #{m.open_plan_item} covered it**"
                if m.open_plan_item
                else ""
            )
            out.append(
                f"- **{word}** {md_code(m.practice)} ({md_text(m.before)} → "
                f"{md_text(m.after)}){plan}"
            )
            out += [f"  - appeared: {md_code(evidence_text(e))}" for e in m.evidence_appeared]
            out += [
                f"  - disappeared: {md_code(evidence_text(e))}" for e in m.evidence_disappeared
            ]
    if not c.lost and not c.gained:
        out.append("No practice gained or lost.")
    out.append("")
    return out


def _sub_projects(a: Assessment) -> list[str]:
    dims = [md_text(d.name) for d in a.dimensions]
    out = [
        f"### Sub-projects ({len(a.sub_projects)}), each assessed on its own evidence",
        "",
        "| Sub-project | Stage | " + " | ".join(dims) + " | Biggest blocker |",
        "|---|---|" + "---|" * len(dims) + "---|",
    ]
    for sp in a.sub_projects:
        levels = " | ".join(str(v) for v in sp.levels.values())
        blocker = md_code(sp.blocker, table=True) if sp.blocker else "—"
        out.append(
            f"| {md_code(sp.path, table=True)} | {md_text(sp.stage)} | {levels} | {blocker} |"
        )
    return [*out, ""]


_UNSAFE_IN_DESTINATION = frozenset("<>()|\\\"' `")


def _destination(url: str) -> str:
    """A link destination with nothing that could end it early or split a table cell."""
    return "".join(
        f"%{ord(c):02X}" if c in _UNSAFE_IN_DESTINATION or ord(c) <= 0x20 or ord(c) == 0x7F else c
        for c in url
    )
