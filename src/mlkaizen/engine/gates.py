"""Dimension levels and the stage gate, confirmed (unknown = unmet) and potential
(unknown = met), and what blocks the next stage.

A dimension is at level L when every *required* practice of levels 1..L is satisfied
(met, exempt or not applicable). The potential level also counts open questions as met:
unknown practices, and partly-seen ones whose rest may live outside the repository.
A stage is reached when every stage up to it has its minimum levels (the gates are data in
the catalogue).
"""

from __future__ import annotations

from collections.abc import Iterable

from mlkaizen.catalogue.schema import Catalogue, Stage
from mlkaizen.engine.model import SATISFIED, Blocker, PracticeResult


def _ok(result: PracticeResult, optimistic: bool) -> bool:
    return result.state in SATISFIED or (optimistic and result.open_question)


def dimension_level(
    dimension: str, results: Iterable[PracticeResult], *, optimistic: bool = False
) -> int:
    """Highest L such that all required practices of ``dimension`` at levels <= L hold."""
    mine = [r for r in results if r.dimension == dimension and r.required]
    level = 0
    for candidate in (1, 2, 3):
        if all(_ok(r, optimistic) for r in mine if r.level <= candidate):
            level = candidate
        else:
            break
    return level


def levels(
    catalogue: Catalogue, results: list[PracticeResult], *, optimistic: bool = False
) -> dict[str, int]:
    return {
        d.id: dimension_level(d.id, results, optimistic=optimistic) for d in catalogue.dimensions
    }


def stage_of(catalogue: Catalogue, dim_levels: dict[str, int]) -> Stage:
    """The highest stage whose gate, and every gate below it, the levels satisfy."""
    ordered = sorted(catalogue.stages, key=lambda s: s.index)
    reached = ordered[0]
    for stage in ordered:
        if all(dim_levels.get(dim, 0) >= need for dim, need in stage.requires.items()):
            reached = stage
        else:
            break
    return reached


def next_stage(catalogue: Catalogue, stage: Stage) -> Stage | None:
    later = [s for s in catalogue.stages if s.index > stage.index]
    return min(later, key=lambda s: s.index) if later else None


def blockers(
    stage: Stage | None, dimension: str, results: list[PracticeResult], dim_level: int
) -> list[Blocker]:
    """Required practices of ``dimension`` that keep it below what ``stage`` needs."""
    if stage is None:
        return []
    need = stage.requires.get(dimension, 0)
    if dim_level >= need:
        return []
    return [
        Blocker(practice=r.id, title=r.title, level=r.level, state=r.state)
        for r in sorted(results, key=lambda r: (r.level, r.id))
        if r.dimension == dimension and r.required and r.level <= need and r.state not in SATISFIED
    ]
