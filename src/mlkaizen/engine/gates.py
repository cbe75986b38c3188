"""Dimension levels and the stage gate, confirmed (unknown = unmet) and potential
(unknown = met), and what blocks the next stage.

The rule is data in the catalogue (its ``cells``): a dimension is at level L when, for every
level 1..L, the core practices of its cell are satisfied (met, exempt or not applicable; a
group of alternatives by any one of them) and at least the cell's quorum of supporting
practices are. The potential level also counts open questions as met: unknown practices,
and partly-seen ones whose rest may live outside the repository. A stage is reached when
every stage up to it has its minimum levels (the gates are data in the catalogue too).
"""

from __future__ import annotations

from collections.abc import Iterable

from mlkaizen.catalogue.schema import Catalogue, Cell, Stage
from mlkaizen.engine.model import SATISFIED, Blocker, LevelRule, PracticeResult, Source, State


def _ok(result: PracticeResult, optimistic: bool) -> bool:
    return result.state in SATISFIED or (optimistic and result.open_question)


def _groups(cell: Cell) -> list[list[str]]:
    return [[entry] if isinstance(entry, str) else list(entry) for entry in cell.core]


def level_rule(
    catalogue: Catalogue, dimension: str, level: int, results: Iterable[PracticeResult]
) -> LevelRule | None:
    """How one cell stands: core and supporting practices satisfied, confirmed and
    potential. ``None`` for a cell with no practices."""
    cell = catalogue.cell(dimension, level)
    if cell is None:
        return None
    by_id = {r.id: r for r in results if r.dimension == dimension and r.level == level}
    core = _groups(cell)
    core_ids = set(cell.core_ids)
    supporting = sorted(
        (r for pid, r in by_id.items() if pid not in core_ids and r.required),
        key=lambda r: r.id,
    )

    def counts(optimistic: bool) -> tuple[int, int]:
        core_met = sum(any(pid in by_id and _ok(by_id[pid], optimistic) for pid in g) for g in core)
        return core_met, sum(_ok(r, optimistic) for r in supporting)

    core_met, sup_met = counts(False)
    pot_core, pot_sup = counts(True)
    return LevelRule(
        level=level,
        core=["|".join(g) for g in core],
        core_met=core_met,
        core_total=len(core),
        supporting=[r.id for r in supporting],
        supporting_met=sup_met,
        supporting_total=len(supporting),
        quorum=cell.quorum,
        holds=core_met == len(core) and sup_met >= cell.quorum,
        holds_potential=pot_core == len(core) and pot_sup >= cell.quorum,
    )


def level_rules(
    catalogue: Catalogue, dimension: str, results: list[PracticeResult]
) -> list[LevelRule]:
    rules = (level_rule(catalogue, dimension, lv, results) for lv in (1, 2, 3))
    return [r for r in rules if r is not None]


def dimension_level(rules: list[LevelRule], *, optimistic: bool = False) -> int:
    """Highest L such that the rule of every level 1..L holds (levels are cumulative); a
    level with no practices holds trivially."""
    by_level = {r.level: r for r in rules}
    level = 0
    for candidate in (1, 2, 3):
        rule = by_level.get(candidate)
        if rule is not None and not (rule.holds_potential if optimistic else rule.holds):
            break
        level = candidate
    return level


def levels(
    catalogue: Catalogue, results: list[PracticeResult], *, optimistic: bool = False
) -> dict[str, int]:
    return {
        d.id: dimension_level(level_rules(catalogue, d.id, results), optimistic=optimistic)
        for d in catalogue.dimensions
    }


def stage_of(catalogue: Catalogue, dim_levels: dict[str, int]) -> Stage:
    """The highest stage whose gate, and every gate below it, the levels satisfy (no
    tolerance: the gates as dimension levels alone)."""
    ordered = sorted(catalogue.stages, key=lambda s: s.index)
    reached = ordered[0]
    for stage in ordered:
        if all(dim_levels.get(dim, 0) >= need for dim, need in stage.requires.items()):
            reached = stage
        else:
            break
    return reached


def _settled_unmet(r: PracticeResult) -> bool:
    """An answer or the configuration says the practice is not done: known, not missed."""
    return r.source in (Source.ATTESTED, Source.CONFIGURED) and r.state not in SATISFIED


def _cell_gaps(
    catalogue: Catalogue, dimension: str, level: int, by_id: dict[str, PracticeResult], ok: bool
) -> list[str] | None:
    """What a cell leaves unsatisfied, as gaps: each core entry (alternatives joined by
    ``|``), and each practice its quorum lacks (any of its unsatisfied supporting ones).
    ``None`` when a gap is settled: an answer says it is not done, so no tolerance passes
    it. ``ok`` is optimism (open questions count as met)."""
    cell = catalogue.cell(dimension, level)
    if cell is None:
        return []
    mine = {
        pid: r for pid, r in by_id.items() if r.dimension == dimension and r.level == level
    }
    gaps = []
    for group in _groups(cell):
        members = [mine[pid] for pid in group if pid in mine]
        if any(_ok(r, ok) for r in members):
            continue
        if members and all(_settled_unmet(r) for r in members):
            return None
        gaps.append("|".join(group))
    core_ids = set(cell.core_ids)
    supporting = [r for pid, r in sorted(mine.items()) if pid not in core_ids and r.required]
    short = cell.quorum - sum(_ok(r, ok) for r in supporting)
    if short > 0:
        lacking = [r for r in supporting if not _ok(r, ok)]
        if sum(not _settled_unmet(r) for r in lacking) < short:
            return None
        gaps += ["|".join(r.id for r in lacking)] * short
    return gaps


def _gaps(
    catalogue: Catalogue, stage: Stage, by_id: dict[str, PracticeResult], ok: bool
) -> list[str] | None:
    """Every gap of the cells the stage's gate takes in (levels 1..need of each dimension
    it requires), or ``None`` when one of them is settled."""
    gaps: list[str] = []
    for dim, need in stage.requires.items():
        for level in range(1, need + 1):
            cell = _cell_gaps(catalogue, dim, level, by_id, ok)
            if cell is None:
                return None
            gaps += cell
    return gaps


def _ahead(
    catalogue: Catalogue,
    stage: Stage,
    later: list[Stage],
    by_id: dict[str, PracticeResult],
    ok: bool,
    *,
    shown: bool = False,
) -> int:
    """How many core entries of the cells the ``later`` stages' gates add to ``stage``'s
    are satisfied (each cell counted once); with ``shown``, only those the repository shows
    (met by detection: not answered, exempt, not applicable, nor an open question however
    optimistic, so that answering open questions never reaches past the potential stage)."""

    def counts(r: PracticeResult) -> bool:
        return r.state is State.MET and r.source is Source.DETECTED if shown else _ok(r, ok)

    count = 0
    for dim in {d: None for s in later for d in s.requires}:
        need = max(s.requires.get(dim, 0) for s in later)
        for level in range(stage.requires.get(dim, 0) + 1, need + 1):
            cell = catalogue.cell(dim, level)
            if cell is None:
                continue
            count += sum(
                any(pid in by_id and counts(by_id[pid]) for pid in g) for g in _groups(cell)
            )
    return count


def stage_reached(
    catalogue: Catalogue, results: list[PracticeResult], *, optimistic: bool = False
) -> tuple[Stage, list[str]]:
    """The highest stage whose gate holds, within the stage's tolerance, and the gaps it
    holds with (empty when it holds in full).

    A gate takes in the cells of levels 1..need of each dimension it requires; its gaps are
    the core entries of those cells left unsatisfied and the practices their quorums lack.
    It holds in full without gaps (every dimension reaches the stage's minimum level). A
    stage with a ``tolerance`` also holds with up to ``gaps`` of them when at least
    ``earned_by`` core entries of the cells the next stage adds are satisfied already (or
    ``or_beyond`` of the cells every later stage adds, met by detection: the repository's
    own evidence, never answers), and no gap is settled by an answer or the configuration
    (then it is known, not missed); its ``further`` tolerance allows more gaps, earned by
    more of the next stage, when the stage just below holds in full (so the gaps are all in
    what this stage adds) or, with ``below_in_full: false``, when it holds at all, if only
    with its own tolerated gaps (so at most that many gaps are the stage below's, where the
    gates are nested as the built-in ones are). A
    lower stage's cells are among a higher one's, so a stage that holds in full holds for
    every stage below it; a higher stage may hold with a tolerated gap where a lower stage,
    with no tolerance, does not.
    """
    by_id = {r.id: r for r in results}
    ordered = sorted(catalogue.stages, key=lambda s: s.index)
    reached, tolerated = ordered[0], []
    # whether the stage just below holds in full, and whether it holds at all (if only with
    # its own tolerated gaps); the first stage needs nothing
    full_below = held_below = True
    for i, stage in enumerate(ordered):
        gaps = _gaps(catalogue, stage, by_id, optimistic)
        if gaps is None:
            full_below = held_below = False
            continue
        allowed = 0
        after = ordered[i + 1] if i + 1 < len(ordered) else None
        if gaps and stage.tolerance is not None and after is not None:
            earned = _ahead(catalogue, stage, [after], by_id, optimistic)
            tol = stage.tolerance
            beyond = (
                _ahead(catalogue, stage, ordered[i + 1 :], by_id, optimistic, shown=True)
                if tol.or_beyond is not None
                else 0
            )
            if earned >= tol.earned_by or (tol.or_beyond is not None and beyond >= tol.or_beyond):
                allowed = tol.gaps
            further = tol.further
            below = full_below if further is None or further.below_in_full else held_below
            if further is not None and below and earned >= further.earned_by:
                allowed = max(allowed, further.gaps)
        full_below = not gaps
        held_below = len(gaps) <= allowed
        if held_below:
            reached, tolerated = stage, gaps
    return reached, tolerated


def next_stage(catalogue: Catalogue, stage: Stage) -> Stage | None:
    later = [s for s in catalogue.stages if s.index > stage.index]
    return min(later, key=lambda s: s.index) if later else None


def blockers(
    stage: Stage | None,
    dimension: str,
    results: list[PracticeResult],
    rules: list[LevelRule],
) -> list[Blocker]:
    """What keeps ``dimension`` below what ``stage`` needs, core gaps first: every unsatisfied
    core practice of a level that does not hold, then, where a level misses its quorum, the
    unsatisfied supporting practices it could be reached with."""
    if stage is None:
        return []
    need = stage.requires.get(dimension, 0)
    by_id = {r.id: r for r in results}
    core: list[Blocker] = []
    supporting: list[Blocker] = []
    for rule in rules:
        if rule.level > need or rule.holds:
            continue
        for group in rule.core:
            members = [by_id[pid] for pid in group.split("|") if pid in by_id]
            if any(m.state in SATISFIED for m in members):
                continue
            alternatives = [m.id for m in members] if len(members) > 1 else []
            core += [_blocker(m, "core", any_of=alternatives) for m in members]
        if rule.supporting_met < rule.quorum:
            short = rule.quorum - rule.supporting_met
            supporting += [
                _blocker(by_id[pid], "supporting", short)
                for pid in rule.supporting
                if by_id[pid].state not in SATISFIED
            ]
    return core + supporting


def _blocker(
    r: PracticeResult, role: str, short: int = 0, any_of: list[str] | None = None
) -> Blocker:
    return Blocker(
        practice=r.id,
        title=r.title,
        level=r.level,
        state=r.state,
        role=role,
        quorum_short=short,
        any_of=any_of or [],
    )
