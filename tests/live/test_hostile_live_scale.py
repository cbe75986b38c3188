"""Facts at the size a server may give within its bounds (``max_items`` runs and versions):
the delivery metrics and the live findings look each run and each model's versions up
once, not once per version, and end well within a generous bound."""

from __future__ import annotations

import datetime as dt

from mlkaizen.evidence.delivery_metrics import DeliveryMetrics, delivery_metrics
from mlkaizen.evidence.detectors.live import live_findings
from mlkaizen.evidence.facts.live import LiveFacts, MlflowFacts, ModelVersion, RegisteredModel, Run

UTC = dt.UTC
SINCE = dt.datetime(2025, 1, 1, tzinfo=UTC)
UNTIL = dt.datetime(2025, 7, 1, tzinfo=UTC)
N = 30_000  # runs, and versions of few models (half serving, half archived)
MODELS = 301  # odd: each model has serving and archived versions


def _facts() -> LiveFacts:
    start = dt.datetime(2025, 2, 1, tzinfo=UTC)
    runs = [Run(id=f"r{i}", experiment_id="1", start=start) for i in range(N)]
    models = [RegisteredModel(name=f"m{j}") for j in range(MODELS)]
    versions = [
        ModelVersion(model=f"m{i % MODELS}", version=str(i), run_id=f"r{i}",
                     created=start + dt.timedelta(minutes=i),
                     updated=UNTIL if i % 2 == 0 else None,  # the serving ones promoted last
                     stage="Archived" if i % 2 else "Production")
        for i in range(N)]
    mlflow = MlflowFacts(server="http://127.0.0.1:1", since=SINCE, until=UNTIL, runs=runs,
                         models=models, versions=versions)
    return LiveFacts(since=SINCE, until=UNTIL, mlflow=mlflow)


def test_many_runs_and_versions_are_measured_in_one_pass() -> None:
    facts = _facts()
    out: list[DeliveryMetrics] = []
    findings: list[int] = []

    def measure() -> None:
        measured = delivery_metrics(facts)
        out.append(measured)
        findings.append(len(live_findings(facts, measured)))

    measure()
    rate = {m.name: m.value for m in out[0].metrics}["Model change-failure rate"]
    # every archived version but the first of its model (150 models) has an older serving one
    # promoted back after it
    assert rate == 49.5


def test_many_models_are_looked_at_once_each() -> None:
    """30,000 models of one version each: each model's versions are grouped once, not
    picked out of all the versions for each model."""
    start = dt.datetime(2025, 2, 1, tzinfo=UTC)
    models = [RegisteredModel(name=f"m{j}") for j in range(N)]
    versions = [ModelVersion(model=f"m{j}", version="1", created=start, stage="Production")
                for j in range(N)]
    mlflow = MlflowFacts(server="http://127.0.0.1:1", since=SINCE, until=UNTIL,
                         models=models, versions=versions)
    facts = LiveFacts(since=SINCE, until=UNTIL, mlflow=mlflow)
    assert len(live_findings(facts)) == 5  # SHOWN registry findings
