"""ML delivery metrics from live facts: model release frequency, lead time, model
change-failure rate and time to restore, each with its source, confidence and trend.

This project's interpretation of DORA's four keys for models (docs/delivery-metrics.md).
Pure: facts in, metrics out; no I/O, no clock (``until`` comes with the facts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, Field

from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence import delivery_events as ev
from mlkaizen.evidence import delivery_measures as dm
from mlkaizen.evidence import delivery_trend as tr
from mlkaizen.evidence.delivery_measures import GIT, REGISTRY, RUNS
from mlkaizen.evidence.facts.live import LiveFacts


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"  # no event to measure from


class Direction(StrEnum):
    IMPROVING = "improving"
    WORSENING = "worsening"
    STEADY = "steady"
    UNKNOWN = "unknown"


class Period(BaseModel):
    start: dt.datetime
    end: dt.datetime
    value: float | None  # None: no event in the period
    events: int


class Metric(BaseModel):
    """One delivery metric. ``value`` is None when no event allows it; ``source`` names
    where its events came from (``mlflow registry``, ``git history``, or both);
    ``detail`` says in one line how it was measured."""

    id: str  # release-frequency, lead-time, change-failure-rate, time-to-restore
    name: str
    value: float | None
    unit: str  # "per 30 days", "hours", "%"
    source: str
    confidence: Confidence
    events: int  # how many events it was measured from
    detail: str = ""
    trend: list[Period] = Field(default_factory=list)
    direction: Direction = Direction.UNKNOWN
    lower_bound: bool = False  # the value is a lower bound (lead time from a run's start)


class DeliveryMetrics(BaseModel):
    """The four metrics over a window, and the sources that were read."""

    since: dt.datetime
    until: dt.datetime
    sources: list[str] = Field(default_factory=list)
    metrics: list[Metric] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)  # problems of the sources, one line each

    def get(self, metric_id: str) -> Metric | None:
        return next((m for m in self.metrics if m.id == metric_id), None)


METRIC_IDS = ("release-frequency", "lead-time", "change-failure-rate", "time-to-restore")
NO_SOURCE = "no source read: neither an MLflow model registry nor the git history"
PARTLY = (
    "the {} was read in part (the reading was cut short): the metrics from it have "
    "low confidence at most"
)


@dataclass(frozen=True)
class _Spec:
    """A metric's name, unit, how its observations make a value, and which way is better."""

    name: str
    unit: str
    aggregate: tr.Aggregate
    higher_is_better: bool


_SPECS = {
    "release-frequency": _Spec("Model release frequency", "per 30 days", tr.frequency, True),
    "lead-time": _Spec("Lead time for model changes", "hours", tr.median_value, False),
    "change-failure-rate": _Spec("Model change-failure rate", "%", tr.percent, False),
    "time-to-restore": _Spec("Time to restore a model", "hours", tr.median_value, False),
}


def delivery_metrics(facts: LiveFacts, periods: int = 4) -> DeliveryMetrics:
    """The four metrics from what the sources read, the window cut into ``periods`` equal
    periods for the trend."""
    if periods < 1:
        raise MLKaizenError(f"the trend needs 1 period or more, not {periods}")
    if facts.until <= facts.since:
        raise MLKaizenError("the window is empty: its end is not after its start")
    src = dm.sources_of(facts)
    measures = {
        "release-frequency": dm.releases(src),
        "lead-time": dm.lead_time(src),
        "change-failure-rate": dm.failure_rate(src),
        "time-to-restore": dm.restore(src),
    }
    return DeliveryMetrics(
        since=facts.since,
        until=facts.until,
        sources=_sources(facts),
        metrics=[_metric(i, measures[i], src.window, periods) for i in METRIC_IDS],
        notes=_notes(facts, src),
    )


def _confidence(m: dm.Measure) -> Confidence:
    """By the number of events and the source; at most low from a source read in part."""
    found = Confidence(tr.confidence_of(len(m.obs), m.primary))
    if not m.complete and found in (Confidence.HIGH, Confidence.MEDIUM):
        return Confidence.LOW
    return found


def _metric(metric_id: str, m: dm.Measure | None, w: ev.Window, periods: int) -> Metric:
    """One metric from its measure: the value over the part of the window its source
    covers, then over each period (a period before the source begins has no value)."""
    spec = _SPECS[metric_id]
    if m is None:
        return Metric(
            id=metric_id,
            name=spec.name,
            value=None,
            unit=spec.unit,
            source="",
            confidence=Confidence.NONE,
            events=0,
            detail=NO_SOURCE,
        )
    begins = m.begins or w.since
    edges = tr.bounds(w.since, w.until, periods)
    trend = [
        Period(
            start=start,
            end=end,
            value=tr.rounded(spec.aggregate(group, (end - max(start, begins)) / tr.DAY))
            if end > begins
            else None,
            events=len(group),
        )
        for start, end, group in zip(edges[:-1], edges[1:], tr.split(m.obs, edges), strict=True)
    ]
    direction = tr.direction_of(
        [p.value for p in trend], [p.events for p in trend], spec.higher_is_better
    )
    return Metric(
        id=metric_id,
        name=spec.name,
        value=tr.rounded(spec.aggregate(m.obs, (w.until - begins) / tr.DAY)),
        unit=spec.unit,
        source=m.source,
        confidence=_confidence(m),
        events=len(m.obs),
        detail=m.detail,
        trend=trend,
        direction=Direction(direction),
        lower_bound=m.lower_bound,
    )


def _sources(facts: LiveFacts) -> list[str]:
    """The sources that were read: the registry when it showed a model, the runs when the
    server showed an experiment or a run (every server has its default experiment; an
    unreachable one shows none), the git history when it was read."""
    ml = facts.mlflow
    out = [REGISTRY] if ev.registry_read(ml) else []
    out += [RUNS] if ml is not None and (ml.experiments or ml.runs) else []
    return out + ([GIT] if facts.history is not None else [])


def _notes(facts: LiveFacts, src: dm.Sources) -> list[str]:
    """Each problem of the sources once, as one line ``source: message``; then where a
    source begins inside the window, and which source was read in part."""
    problems = [
        *facts.problems,
        *(facts.mlflow.problems if facts.mlflow is not None else []),
        *(facts.history.problems if facts.history is not None else []),
    ]
    out: list[str] = []
    for p in problems:
        line = " ".join(f"{p.source}: {p.message}".split())
        if line not in out:
            out.append(line)
    if src.registry is not None and src.registry_window != src.window:
        out.append(
            f"the MLflow registry begins on {src.registry_window.since:%Y-%m-%d} "
            "(its first registered model): measured from there"
        )
    if src.history is not None and src.git_window != src.window:
        begins = src.git_window.since
        out.append(f"the git history begins on {begins:%Y-%m-%d}: measured from there")
    if src.registry is not None and not src.registry.complete:
        out.append(PARTLY.format("MLflow server"))
    if src.history is not None and not src.history.complete:
        out.append(PARTLY.format("git history"))
    return out
