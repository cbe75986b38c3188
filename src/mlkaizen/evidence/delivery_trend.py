"""How a delivery metric moves over its window, and how far it can be trusted: the window
cut into equal periods, the direction of the later half against the earlier half, and the
confidence its number of events (and its source) allows.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Sequence
from statistics import mean, median

from mlkaizen.evidence.delivery_events import Obs

HIGH_EVENTS = 8
MEDIUM_EVENTS = 3
STEADY_CHANGE = 0.10  # a relative change under 10 % is steady
MIN_HALF_EVENTS = 2  # events each half of the trend needs for a direction
DAY = dt.timedelta(days=1)

# a metric's value from the observations of a span of ``days`` days; None: not measurable
Aggregate = Callable[[Sequence[Obs], float], float | None]


def rounded(value: float | None) -> float | None:
    """Values are kept to two decimals: a stable report, and no false precision."""
    return None if value is None else round(value, 2)


def frequency(obs: Sequence[Obs], days: float) -> float | None:
    """Events per 30 days; 0.0 when none happened (the source was read)."""
    return len(obs) / days * 30 if days > 0 else None


def median_value(obs: Sequence[Obs], days: float) -> float | None:
    return median(o.value for o in obs) if obs else None


def percent(obs: Sequence[Obs], days: float) -> float | None:
    """The share of observations valued 1.0 (failed), in percent."""
    return sum(o.value for o in obs) / len(obs) * 100 if obs else None


def bounds(since: dt.datetime, until: dt.datetime, periods: int) -> list[dt.datetime]:
    """``periods + 1`` boundaries of equal periods, the last one ``until`` exactly."""
    step = (until - since) / periods
    return [since + step * i for i in range(periods)] + [until]


def split(obs: Sequence[Obs], edges: Sequence[dt.datetime]) -> list[list[Obs]]:
    """Observations by period: a period holds its start and not its end, except the last,
    which holds ``until`` too (an event on a boundary belongs to the later period)."""
    out: list[list[Obs]] = [[] for _ in edges[:-1]]
    starts = list(edges[:-1])
    for o in obs:
        if edges[0] <= o.when <= edges[-1]:
            out[min(bisect.bisect_right(starts, o.when) - 1, len(out) - 1)].append(o)
    return out


def direction_of(
    values: Sequence[float | None], events: Sequence[int], higher_is_better: bool
) -> str:
    """``improving``, ``worsening``, ``steady`` or ``unknown``: the mean of the later half's
    values against the earlier half's (an odd middle period left out). Each half needs
    values measured from ``MIN_HALF_EVENTS`` events or more (``events``: each period's
    count), so that one event does not make a trend. A relative change under 10 % is
    steady; from 0 any rise is a change."""
    half = len(values) // 2
    halves = (range(half), range(len(values) - half, len(values)))
    early, late = ([values[i] for i in h if values[i] is not None] for h in halves)
    counts = [sum(events[i] for i in h if values[i] is not None) for h in halves]
    if not half or not early or not late or min(counts) < MIN_HALF_EVENTS:
        return "unknown"
    before = mean(v for v in early if v is not None)
    after = mean(v for v in late if v is not None)
    if before == after:
        return "steady"
    if before and abs(after - before) / abs(before) < STEADY_CHANGE:
        return "steady"
    return "improving" if (after > before) == higher_is_better else "worsening"


def confidence_of(events: int, primary: bool) -> str:
    """``high`` from 8 events of a primary source, ``medium`` from 3 to 7, ``low`` from 1 or
    2 or from any fallback or proxy measure, ``none`` without events."""
    if events == 0:
        return "none"
    if not primary:
        return "low"
    if events >= HIGH_EVENTS:
        return "high"
    return "medium" if events >= MEDIUM_EVENTS else "low"
