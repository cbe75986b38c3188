"""The roadmap: what to do, in an order that respects prerequisites, then stage, then effort.

Within a stage, heavier practices (catalogue ``weights``) come first, then smaller efforts.
It covers the unmet and partial practices the next stage and the one after need under the
catalogue's level rule (core gaps, and enough supporting practices to reach each quorum),
plus any unmet prerequisites they pull in. Unknown practices are questions, not work.
"""

from __future__ import annotations

import heapq

from mlkaizen.catalogue.schema import Catalogue, Effort, Stage
from mlkaizen.engine.model import SATISFIED, PracticeResult, RoadmapItem, State

TODO = frozenset({State.UNMET, State.PARTIAL})


def needed_for(
    catalogue: Catalogue, stage: Stage, results: list[PracticeResult]
) -> list[PracticeResult]:
    """The least work a stage's gate needs, cell by cell up to the level it asks: every core
    practice still to do (of a group of alternatives, the one already partly there, else
    the first), and where the supporting ones miss their quorum, as many of them as are
    short (heaviest weight, then smallest effort first)."""
    by_id = {r.id: r for r in results}
    out: list[PracticeResult] = []
    for dim, need in stage.requires.items():
        for level in range(1, need + 1):
            cell = catalogue.cell(dim, level)
            if cell is None:
                continue
            for entry in cell.core:
                group = [by_id[p] for p in ([entry] if isinstance(entry, str) else entry)]
                if any(r.state in SATISFIED for r in group):
                    continue
                todo = [r for r in group if r.state in TODO]
                todo.sort(key=lambda r: r.state is not State.PARTIAL)
                out += todo[:1]
            supporting = [
                r
                for r in results
                if r.dimension == dim
                and r.level == level
                and r.id not in cell.core_ids
                and r.required
            ]
            short = cell.quorum - sum(r.state in SATISFIED for r in supporting)
            if short > 0:
                todo = sorted(
                    (r for r in supporting if r.state in TODO),
                    key=lambda r: (-catalogue.weight(r.id), _effort(catalogue, r.id), r.id),
                )
                out += todo[:short]
    return out


def _effort(catalogue: Catalogue, pid: str) -> int:
    p = catalogue.practice(pid)
    return Effort(p.effort).rank if p else 0


def build_roadmap(
    catalogue: Catalogue, results: list[PracticeResult], targets: list[Stage]
) -> list[RoadmapItem]:
    by_id = {r.id: r for r in results}
    wanted: dict[str, Stage] = {}
    for stage in targets:
        for r in needed_for(catalogue, stage, results):
            wanted.setdefault(r.id, stage)
    # pull in unmet prerequisites, attributed to the stage of what needs them
    frontier = list(wanted)
    while frontier:
        pid = frontier.pop()
        practice = catalogue.practice(pid)
        for pre in practice.prerequisites if practice else []:
            if pre not in wanted and by_id[pre].state in TODO:
                wanted[pre] = wanted[pid]
                frontier.append(pre)
    stage_rank = {s.id: s.index for s in [*catalogue.stages, *targets]}
    dim_rank = {d.id: i for i, d in enumerate(catalogue.dimensions)}
    deps = {
        pid: [
            p
            for p in (
                catalogue.practice(pid).prerequisites  # type: ignore[union-attr]
            )
            if p in wanted
        ]
        for pid in wanted
    }
    waiting = {pid: len(d) for pid, d in deps.items()}
    dependants: dict[str, list[str]] = {pid: [] for pid in wanted}
    for pid, pres in deps.items():
        for pre in pres:
            dependants[pre].append(pid)

    def key(pid: str) -> tuple[int, float, int, int, int, str]:
        p = catalogue.practice(pid)
        assert p is not None
        return (
            stage_rank[wanted[pid].id],
            -catalogue.weight(pid),
            Effort(p.effort).rank,
            p.level,
            dim_rank[p.dimension],
            pid,
        )

    heap = [key(pid) for pid, n in waiting.items() if n == 0]
    heapq.heapify(heap)
    items: list[RoadmapItem] = []
    while heap:
        *_, pid = heapq.heappop(heap)
        p = catalogue.practice(pid)
        assert p is not None
        items.append(
            RoadmapItem(
                step=len(items) + 1,
                practice=pid,
                title=p.title,
                dimension=p.dimension,
                level=p.level,
                state=by_id[pid].state,
                effort=p.effort.value,
                for_stage=wanted[pid].name,
                prerequisites=deps[pid],
                remediation=p.remediation,
            )
        )
        for child in dependants[pid]:
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(heap, key(child))
    return items
