"""What changed between two assessments: stage, levels, and the practices gained or lost
with the evidence that appeared or disappeared; a lost practice an open plan covered is
called out."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from mlkaizen.engine.model import Evidence, PracticeMove, SincePrevious
from mlkaizen.report.escape import visible
from mlkaizen.store.snapshots import Practice, Snapshot


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


def _evidence_changes(
    old: Practice | None, new: Practice | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The evidence that appeared and disappeared (matched by place and detail), in order."""
    was = {_where(e): e for e in old.evidence} if old else {}
    now = {_where(e): e for e in new.evidence} if new else {}
    return (
        [now[k] for k in sorted(now.keys() - was.keys())],
        [was[k] for k in sorted(was.keys() - now.keys())],
    )


def compare(before: Snapshot, after: Snapshot, open_plans: dict[str, int] | None = None) -> Diff:
    """``open_plans`` maps a practice to the id of an open plan item about it."""
    plans = open_plans or {}
    gained: list[PracticeDiff] = []
    lost: list[PracticeDiff] = []
    for pid in sorted(before.satisfied ^ after.satisfied):
        old, new = before.practices.get(pid), after.practices.get(pid)
        appeared, disappeared = _evidence_changes(old, new)
        item = PracticeDiff(
            practice=pid,
            before=old.state if old else "absent",
            after=new.state if new else "absent",
            evidence_appeared=[_where(e) for e in appeared],
            evidence_disappeared=[_where(e) for e in disappeared],
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


def since_previous(
    before: Snapshot, after: Snapshot, open_plans: dict[str, int] | None = None
) -> SincePrevious:
    """:func:`compare` as the reports carry it: plain data, the evidence as in the report."""
    d = compare(before, after, open_plans)

    def move(p: PracticeDiff) -> PracticeMove:
        appeared, disappeared = _evidence_changes(
            before.practices.get(p.practice), after.practices.get(p.practice)
        )
        return PracticeMove(
            practice=p.practice,
            before=p.before,
            after=p.after,
            evidence_appeared=[Evidence.model_validate(e) for e in appeared],
            evidence_disappeared=[Evidence.model_validate(e) for e in disappeared],
            open_plan_item=p.open_plan,
        )

    return SincePrevious(
        previous=before.label,
        previous_id=before.id,
        saved_at=_utc(before.created_at),
        commit=before.commit,
        stage_before=before.stage,
        stage_index_before=before.stage_index,
        levels_before=dict(before.levels),
        gained=[move(p) for p in d.gained],
        lost=[move(p) for p in d.lost],
    )


def _utc(when: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes for what was stored in UTC."""
    if when is None or when.tzinfo is not None:
        return when
    return when.replace(tzinfo=dt.UTC)


def render(d: Diff, fmt: str) -> str:
    """JSON, or terminal text with every stored value :func:`visible` (labels, stages,
    dimension and practice ids and the evidence all came from a store and a repository)."""
    if fmt == "json":
        return json.dumps(asdict(d), indent=2) + "\n"
    lines = [f"{visible(d.before)} -> {visible(d.after)}"]
    stage = visible(d.stage_after)
    if d.stage_before != d.stage_after:
        stage = f"{visible(d.stage_before)} -> {stage}"
    lines.append(f"Stage: {stage}")
    for dim in d.levels_after:
        a, b = d.levels_before.get(dim, 0), d.levels_after[dim]
        lines.append(f"  {visible(dim)}: {a}" + (f" -> {b}" if a != b else ""))
    lines += summary_lines(d)
    return "\n".join(lines) + "\n"


def summary_lines(d: Diff) -> list[str]:
    """The practices gained and lost, as terminal lines (every value :func:`visible`)."""
    lines: list[str] = []
    for sign, word, group in (("+", "gained", d.gained), ("-", "lost", d.lost)):
        lines.append(f"{word.capitalize()} ({len(group)}):")
        for p in group:
            extra = f" (open plan item #{p.open_plan} covered it)" if p.open_plan else ""
            lines.append(
                f"  {sign} {visible(p.practice)}: {visible(p.before)} -> {visible(p.after)}"
                f"{extra}"
            )
            lines += [f"      + {visible(e)}" for e in p.evidence_appeared[:5]]
            lines += [f"      - {visible(e)}" for e in p.evidence_disappeared[:5]]
    return lines
