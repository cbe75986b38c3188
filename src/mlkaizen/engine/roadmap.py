"""The roadmap: what to do, in an order that respects prerequisites, then stage, then effort.

It leads with what blocks the next stage: the questions to verify first (every unknown
practice among the next stage's blockers), then the work it needs, its
unmet prerequisites included (a prerequisite belongs to the earliest stage that needs it).
The stage after follows. Within a stage, heavier practices (catalogue ``weights``) come
first, then smaller efforts. It covers the unmet and partial practices the next stage and the
one after need under the catalogue's level rule (core gaps, and enough supporting practices
to reach each quorum). Other unknown practices are questions, not steps.
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
    the one that pulls in the fewest prerequisites still to do, else the first), and where
    the supporting ones miss their quorum, as many of them as are short (heaviest weight,
    then smallest effort first)."""
    return _gaps(catalogue, stage, results)[0]


def to_verify(
    catalogue: Catalogue, stage: Stage, results: list[PracticeResult]
) -> list[PracticeResult]:
    """The unknown practices that block a stage's gate (the unknown ones among
    :func:`mlkaizen.engine.gates.blockers`): of a core entry not yet satisfied, and of a
    level short of its quorum. Answering their questions may close a gap with no work."""
    return _gaps(catalogue, stage, results)[1]


def _gaps(
    catalogue: Catalogue, stage: Stage, results: list[PracticeResult]
) -> tuple[list[PracticeResult], list[PracticeResult]]:
    by_id = {r.id: r for r in results}
    out: list[PracticeResult] = []
    verify: list[PracticeResult] = []

    def rank(r: PracticeResult) -> tuple[float, int, str]:
        return (-catalogue.weight(r.id), _effort(catalogue, r.id), r.id)

    def pending_prerequisites(r: PracticeResult) -> int:
        p = catalogue.practice(r.id)
        return sum(by_id[pre].state in TODO for pre in (p.prerequisites if p else []))
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
                todo.sort(key=lambda r: (r.state is not State.PARTIAL, pending_prerequisites(r)))
                out += todo[:1]
                verify += [r for r in group if r.state is State.UNKNOWN]
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
                todo = sorted((r for r in supporting if r.state in TODO), key=rank)
                out += todo[:short]
                verify += sorted((r for r in supporting if r.state is State.UNKNOWN), key=rank)
    return out, verify


def _effort(catalogue: Catalogue, pid: str) -> int:
    p = catalogue.practice(pid)
    return Effort(p.effort).rank if p else 0


VERIFY_HOW = "Answer with `mlkaizen survey` (or attest it in the config)"


def build_roadmap(
    catalogue: Catalogue,
    results: list[PracticeResult],
    targets: list[Stage],
    *,
    verify: bool = False,
    questions: dict[str, str] | None = None,
) -> list[RoadmapItem]:
    """The steps towards ``targets`` (the next stage first). With ``verify``, the unknown
    practices the first target waits on (:func:`to_verify`) lead it as steps to verify,
    asking ``questions[practice]`` (the question as narrowed by evidence) if given."""
    by_id = {r.id: r for r in results}
    stage_rank = {s.id: s.index for s in [*catalogue.stages, *targets]}
    wanted: dict[str, Stage] = {}
    for stage in targets:
        for r in needed_for(catalogue, stage, results):
            wanted.setdefault(r.id, stage)
    # pull in unmet prerequisites, attributed to the earliest stage of what needs them
    frontier = list(wanted)
    while frontier:
        pid = frontier.pop()
        practice = catalogue.practice(pid)
        for pre in practice.prerequisites if practice else []:
            if by_id[pre].state not in TODO:
                continue
            if pre not in wanted or stage_rank[wanted[pid].id] < stage_rank[wanted[pre].id]:
                wanted[pre] = wanted[pid]
                frontier.append(pre)
    dim_rank = {d.id: i for i, d in enumerate(catalogue.dimensions)}
    verifying: dict[str, Stage] = {}
    if verify and targets:
        for r in to_verify(catalogue, targets[0], results):
            verifying.setdefault(r.id, targets[0])
    # what to verify: core practices first, then by level and dimension
    verify_rank = {
        pid: i
        for i, pid in enumerate(
            sorted(
                verifying,
                key=lambda pid: (
                    by_id[pid].role != "core",
                    by_id[pid].level,
                    dim_rank[by_id[pid].dimension],
                    pid,
                ),
            )
        )
    }
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
    deps.update({pid: [] for pid in verifying})
    waiting = {pid: len(d) for pid, d in deps.items()}
    dependants: dict[str, list[str]] = {pid: [] for pid in deps}
    for pid, pres in deps.items():
        for pre in pres:
            dependants[pre].append(pid)

    def key(pid: str) -> tuple[int, int, float, int, int, int, str]:
        p = catalogue.practice(pid)
        assert p is not None
        return (
            stage_rank[(verifying.get(pid) or wanted[pid]).id],
            # within a stage, what to verify comes first
            verify_rank.get(pid, len(verify_rank)),
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
        check = pid in verifying
        items.append(
            RoadmapItem(
                step=len(items) + 1,
                practice=pid,
                title=p.title,
                dimension=p.dimension,
                level=p.level,
                state=by_id[pid].state,
                effort=p.effort.value,
                for_stage=(verifying.get(pid) or wanted[pid]).name,
                prerequisites=deps[pid],
                remediation=(
                    f"{VERIFY_HOW}; if it is not in place: {p.remediation}"
                    if check
                    else p.remediation
                ),
                action="verify" if check else "do",
                question=(
                    (questions or {}).get(pid) or by_id[pid].question or p.title
                    if check
                    else None
                ),
            )
        )
        for child in dependants[pid]:
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(heap, key(child))
    return items
