"""What changed between two assessments: stage, levels, and the practices gained or lost
with the evidence that appeared or disappeared; a lost practice an open plan covered is
called out."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from mlkaizen.store.records import Snapshot


@dataclass
class PracticeDiff:
    practice: str
    before: str
    after: str
    evidence_appeared: list[str] = field(default_factory=list)
    evidence_disappeared: list[str] = field(default_factory=list)
    open_plan: int | None = None  # a lost practice an open plan item was about


@dataclass
class Diff:
    before: str
    after: str
    stage_before: str
    stage_after: str
    levels_before: dict[str, int]
    levels_after: dict[str, int]
    gained: list[PracticeDiff]
    lost: list[PracticeDiff]


def _where(e: dict[str, Any]) -> str:
    place = str(e.get("file") or "")
    if place and e.get("line"):
        place += f":{e['line']}"
    detail = str(e.get("detail") or e.get("detector") or "")
    return f"{place} {detail}".strip()


def compare(before: Snapshot, after: Snapshot, open_plans: dict[str, int] | None = None) -> Diff:
    """``open_plans`` maps a practice to the id of an open plan item about it."""
    plans = open_plans or {}
    gained: list[PracticeDiff] = []
    lost: list[PracticeDiff] = []
    for pid in sorted(before.satisfied ^ after.satisfied):
        old, new = before.practices.get(pid), after.practices.get(pid)
        was = {_where(e) for e in old.evidence} if old else set()
        now = {_where(e) for e in new.evidence} if new else set()
        item = PracticeDiff(
            practice=pid,
            before=old.state if old else "absent",
            after=new.state if new else "absent",
            evidence_appeared=sorted(now - was),
            evidence_disappeared=sorted(was - now),
        )
        if pid in after.satisfied:
            gained.append(item)
        else:
            item.open_plan = plans.get(pid)
            lost.append(item)
    return Diff(
        before=before.label,
        after=after.label,
        stage_before=before.stage,
        stage_after=after.stage,
        levels_before=before.levels,
        levels_after=after.levels,
        gained=gained,
        lost=lost,
    )


def render(d: Diff, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(asdict(d), indent=2) + "\n"
    lines = [f"{d.before} -> {d.after}"]
    stage = d.stage_after
    if d.stage_before != d.stage_after:
        stage = f"{d.stage_before} -> {d.stage_after}"
    lines.append(f"Stage: {stage}")
    for dim in d.levels_after:
        a, b = d.levels_before.get(dim, 0), d.levels_after[dim]
        lines.append(f"  {dim}: {a}" + (f" -> {b}" if a != b else ""))
    lines += summary_lines(d)
    return "\n".join(lines) + "\n"


def summary_lines(d: Diff) -> list[str]:
    lines: list[str] = []
    for sign, word, group in (("+", "gained", d.gained), ("-", "lost", d.lost)):
        lines.append(f"{word.capitalize()} ({len(group)}):")
        for p in group:
            extra = f" (open plan item #{p.open_plan} covered it)" if p.open_plan else ""
            lines.append(f"  {sign} {p.practice}: {p.before} -> {p.after}{extra}")
            lines += [f"      + {e}" for e in p.evidence_appeared[:5]]
            lines += [f"      - {e}" for e in p.evidence_disappeared[:5]]
    return lines
