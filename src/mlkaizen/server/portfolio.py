"""The portfolio as the page and the API show it: each subject's stage, levels, target, gap
to the target and trend since the start of the period, filtered and sorted. Stage names and
their order come from the built-in catalogue (the one uploads are judged against)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.store.portfolio import PortfolioRow, portfolio

if TYPE_CHECKING:
    from mlkaizen.store.db import Store

SORTS = ("name", "stage", "gap", "trend", "team", "assessed")


@cache
def catalogue() -> Catalogue:
    from mlkaizen.catalogues import load_catalogue

    return load_catalogue(None)


def stage_index(name: str | None) -> int | None:
    """The catalogue's index of a stage name (1 = Ad hoc), ``None`` for no or an unknown name."""
    if name is None:
        return None
    return next((s.index for s in catalogue().stages if s.name == name), None)


def stage_names() -> list[str]:
    return [s.name for s in catalogue().stages]


@dataclass
class View:
    row: PortfolioRow
    target_index: int | None
    gap: int | None  # stages short of the target (0: met or above); None without a target
    trend: int | None  # stages gained (+) or lost (-) since the period began; None: no data
    level_trend: dict[str, int]  # per dimension, the same
    depth: int = 0  # 1: a sub-project shown under its repository's row
    part_of: str | None = None  # a sub-project's repository, by name

    @property
    def regressed_since(self) -> int | None:
        """The assessment the subject's newest fell below (a new regression), if any."""
        return self.row.regressed_since

    @property
    def subject(self) -> str:
        return self.row.subject.name


def _view(row: PortfolioRow) -> View:
    target = stage_index(row.subject.target)
    gap = None
    if target is not None and row.stage_index is not None:
        gap = max(0, target - row.stage_index)
    trend = None
    levels: dict[str, int] = {}
    if row.before_stage_index is not None and row.stage_index is not None:
        trend = row.stage_index - row.before_stage_index
        before = row.before_levels or {}
        levels = {d: v - before[d] for d, v in row.levels.items() if d in before}
    return View(row, target, gap, trend, levels)


def views(
    store: Store,
    org_id: int,
    *,
    team: str | None = None,
    stage: str | None = None,
    gap: str | None = None,
    sort: str = "name",
    descending: bool = False,
    period_days: int = 30,
    now: dt.datetime | None = None,
) -> list[View]:
    """The organisation's portfolio. ``team``: only that team's subjects; ``stage``: only
    those at that stage; ``gap``: ``behind`` (short of their target), ``met`` (at or above
    it) or ``none`` (no target); ``sort``: one of :data:`SORTS`."""
    found = [_view(r) for r in portfolio(store, org_id, period=dt.timedelta(days=period_days),
                                         now=now)]
    names = {v.row.subject.id: v.row.subject.name for v in found}
    for v in found:
        if v.row.subject.parent_id is not None:
            v.part_of = names.get(v.row.subject.parent_id)
    if team:
        found = [v for v in found if (v.row.subject.team or "") == team]
    if stage:
        found = [v for v in found if v.row.stage == stage]
    if gap == "behind":
        found = [v for v in found if v.gap is not None and v.gap > 0]
    elif gap == "met":
        found = [v for v in found if v.gap == 0]
    elif gap == "none":
        found = [v for v in found if v.target_index is None]
    low = -(10**6)
    keys = {
        "name": lambda v: (v.row.subject.name.lower(), v.row.subject.id),
        "stage": lambda v: (v.row.stage_index if v.row.stage_index is not None else low,
                            v.row.subject.name.lower()),
        "gap": lambda v: (v.gap if v.gap is not None else low, v.row.subject.name.lower()),
        "trend": lambda v: (v.trend if v.trend is not None else low, v.row.subject.name.lower()),
        "team": lambda v: ((v.row.subject.team or "").lower(), v.row.subject.name.lower()),
        "assessed": lambda v: (v.row.assessed_at.timestamp() if v.row.assessed_at else low,
                               v.row.subject.name.lower()),
    }
    return under_repositories(sorted(found, key=keys.get(sort, keys["name"]),
                                     reverse=descending))


def under_repositories(found: list[View]) -> list[View]:
    """Each sub-project right under its repository's row (in the order sorted, marked
    ``depth`` 1), not among unrelated rows; one whose repository is filtered out keeps its
    place."""
    shown = {v.row.subject.id for v in found}
    parts: dict[int, list[View]] = {}
    for v in found:
        parent = v.row.subject.parent_id
        if parent is not None and parent in shown and parent != v.row.subject.id:
            parts.setdefault(parent, []).append(v)
    out: list[View] = []
    placed: set[int] = set()

    def place(v: View, depth: int) -> None:
        if v.row.subject.id in placed:
            return
        placed.add(v.row.subject.id)
        v.depth = min(depth, 1)
        out.append(v)
        for part in parts.get(v.row.subject.id, []):
            place(part, depth + 1)

    for v in found:
        parent = v.row.subject.parent_id
        if parent is None or parent not in shown or parent == v.row.subject.id:
            place(v, 0)
    for v in found:  # a ring of parents (never made by a fleet run): kept, not lost
        place(v, 0)
    return out


def teams(found: list[View]) -> list[str]:
    return sorted({v.row.subject.team for v in found if v.row.subject.team})
