"""Live evidence for one assessment: read the sources the user named (an MLflow server, the
git history over a window), then turn their facts into findings and delivery metrics.

The user names every source (a flag or the environment), never the scanned repository. A
source that cannot be read leaves a problem (one warning line) and the rest stands.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.delivery_metrics import DeliveryMetrics, delivery_metrics
from mlkaizen.evidence.detectors.live import live_findings
from mlkaizen.evidence.facts.live import HistoryFacts, LiveFacts, MlflowFacts, Problem
from mlkaizen.evidence.findings import Finding, Outcome
from mlkaizen.evidence.sources.githistory import read_history
from mlkaizen.evidence.tree import WARNING_DETECTOR

if TYPE_CHECKING:  # the MLflow source loads httpx: only a run that reads a server needs it
    from mlkaizen.evidence.sources.mlflow import MlflowOptions

DEFAULT_WINDOW = dt.timedelta(days=180)
_WINDOW = re.compile(r"^\s*(\d{1,5})\s*([dwy]?)\s*$")
_UNIT_DAYS = {"": 1, "d": 1, "w": 7, "y": 365}


def parse_window(text: str) -> dt.timedelta:
    """``180d``, ``26w``, ``1y`` or a number of days; raises :class:`MLKaizenError`."""
    m = _WINDOW.match(text.lower())
    days = int(m.group(1)) * _UNIT_DAYS[m.group(2)] if m else 0
    if not m or not 1 <= days <= 20 * 365:
        raise MLKaizenError(
            f"window {text!r} is not a duration such as 90d, 26w or 1y (1 day to 20 years)"
        )
    return dt.timedelta(days=days)


@dataclass(frozen=True)
class LiveOptions:
    """Which live sources to read. ``history`` reads the git history of the window;
    ``mlflow`` a tracking server; ``until`` is the end of the window (now by default)."""

    window: dt.timedelta = DEFAULT_WINDOW
    history: bool = False
    mlflow: MlflowOptions | None = None
    until: dt.datetime | None = None

    @property
    def any(self) -> bool:
        return self.history or self.mlflow is not None


@dataclass(frozen=True)
class LiveEvidence:
    """What the live sources showed: their facts, the delivery metrics measured from them,
    the findings both support and one warning per problem."""

    facts: LiveFacts
    metrics: DeliveryMetrics
    findings: list[Finding]
    warnings: list[Finding]

    @property
    def sources(self) -> list[str]:
        """The sources read, as shown to the user (``mlflow https://host``, ``git history``)."""
        out = []
        if self.facts.mlflow is not None:
            out.append(f"mlflow {self.facts.mlflow.server}")
        if self.facts.history is not None:
            out.append("git history")
        return out


def live_evidence(
    path: Path | None, options: LiveOptions, env: Mapping[str, str] | None = None
) -> LiveEvidence:
    """Read the sources ``options`` names and turn what they show into evidence."""
    facts = gather(path, options, env)
    metrics = delivery_metrics(facts)
    warnings = [
        Finding(
            detector=WARNING_DETECTOR,
            outcome=Outcome.WARNING,
            detail=f"{p.source}: {p.message}; what it would show is not observed",
            values={"kind": "live"},
        )
        for p in facts.problems
    ]
    return LiveEvidence(facts, metrics, live_findings(facts, metrics), warnings)


def gather(
    path: Path | None, options: LiveOptions, env: Mapping[str, str] | None = None
) -> LiveFacts:
    """Read every source ``options`` names; a source that fails becomes a problem."""
    until = (options.until or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    since = until - options.window
    problems: list[Problem] = []
    history: HistoryFacts | None = None
    mlflow: MlflowFacts | None = None
    if options.history and path is not None:
        try:
            history = read_history(path, since, until)
        except MLKaizenError as exc:
            problems.append(Problem(source="git history", message=exc.message))
    if options.mlflow is not None:
        from mlkaizen.evidence.sources.mlflow import read_mlflow

        mlflow = read_mlflow(options.mlflow, since, until, env)
    for facts in (history, mlflow):
        if facts is not None:
            problems.extend(facts.problems)
    return LiveFacts(since=since, until=until, mlflow=mlflow, history=history, problems=problems)
