"""ML delivery metrics from live facts: model release frequency, lead time, model
change-failure rate and time to restore, each with its source, confidence and trend.

This project's interpretation of DORA's four keys for models (docs/delivery-metrics.md).
Pure: facts in, metrics out; no I/O, no clock (``until`` comes with the facts).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field

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


def delivery_metrics(facts: LiveFacts, periods: int = 4) -> DeliveryMetrics:
    """The four metrics from what the sources read, the window cut into ``periods`` equal
    periods for the trend."""
    raise NotImplementedError
