"""Gap to a use case's target: per dimension, and a roadmap to the target with its effort."""

from __future__ import annotations

from pydantic import BaseModel

from mlkaizen.catalogue.schema import Catalogue, Stage
from mlkaizen.engine.model import Assessment, RoadmapItem
from mlkaizen.engine.roadmap import build_roadmap
from mlkaizen.engine.taxonomy import Target
from mlkaizen.textfmt import counted

EFFORT_WEEKS = {"S": 0.5, "M": 2.0, "L": 6.0}  # rough person-weeks per effort size


class DimensionGap(BaseModel):
    id: str
    name: str
    current: int
    target: int
    gap: int


class TargetReport(BaseModel):
    stage: str
    target_stage: str
    rule_cell: str
    adjustments: list[str]
    not_applicable: dict[str, str]
    dimensions: list[DimensionGap]
    roadmap: list[RoadmapItem]
    effort_counts: dict[str, int]
    effort_weeks: float
    # the survey answers the assessment used, as every report says (``Used 3 answers from …``)
    respondents: list[str] = []
    answers_used: int = 0
    answers_line: str | None = None


def target_report(a: Assessment, cat: Catalogue, t: Target) -> TargetReport:
    names = {s.index: s.name for s in cat.stages}
    dims = [
        DimensionGap(
            id=d.id,
            name=d.name,
            current=d.level,
            target=t.levels.get(d.id, 0),
            gap=max(t.levels.get(d.id, 0) - d.level, 0),
        )
        for d in a.dimensions
    ]
    goal = Stage(
        id="target",
        name=f"target ({names[t.stage_index]})",
        index=99,
        description="the use case's target",
        requires=t.levels,
    )
    roadmap = build_roadmap(cat, a.practices, [goal])
    counts = {size: sum(1 for r in roadmap if r.effort == size) for size in ("S", "M", "L")}
    return TargetReport(
        stage=a.stage,
        target_stage=names[t.stage_index],
        rule_cell=t.cell,
        adjustments=t.reasons,
        not_applicable=t.not_applicable,
        dimensions=dims,
        roadmap=roadmap,
        effort_counts=counts,
        effort_weeks=sum(EFFORT_WEEKS[r.effort] for r in roadmap),
        respondents=a.respondents,
        answers_used=a.answers_used,
        answers_line=a.answers_line(),
    )


def render_target(r: TargetReport) -> str:
    lines = [
        f"Target: {r.target_stage} (currently {r.stage})",
        *([r.answers_line] if r.answers_line else []),
        "",
        f"Why: {r.rule_cell} -> {r.target_stage} (published taxonomy rule).",
    ]
    lines += [f"Adjusted: {x} (MLKaizen facet rule)." for x in r.adjustments]
    lines += [
        f"Not applicable: {pid}: {why} (MLKaizen facet rule)."
        for pid, why in r.not_applicable.items()
    ]
    lines += ["", f"{'dimension':<30}{'current':>8}{'target':>8}{'gap':>6}"]
    lines += [f"{d.name:<30}{d.current:>8}{d.target:>8}{d.gap:>6}" for d in r.dimensions]
    lines += [
        "",
        f"Roadmap to the target ({counted(len(r.roadmap), 'step')}, about {r.effort_weeks:g} "
        f"person-weeks: {r.effort_counts['S']} S, {r.effort_counts['M']} M, "
        f"{r.effort_counts['L']} L):",
    ]
    lines += [f"  {i.step:>2}. [{i.effort}] {i.practice}: {i.title}" for i in r.roadmap]
    if not r.roadmap:
        lines.append("  nothing left to do for the target")
    return "\n".join(lines) + "\n"
