"""Findings from live sources: what the team's MLflow server and git history show it does.

Each finding states one of the detectors' facts (tracking in use, registry in use,
champion/challenger, a schedule that fired, a rollback, delivery metrics measured) and names
the object that shows it (``models:/churn/7``, ``runs:/<id>``, ``commit:1a2b3c4``) where a
file finding names a file. Live evidence only ever adds: a server that shows nothing takes
nothing away from what the repository shows.
"""

from __future__ import annotations

from collections import Counter

from mlkaizen.evidence.delivery_metrics import Confidence, DeliveryMetrics
from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.live_history import day, found, history_findings
from mlkaizen.evidence.facts.live import (
    LiveFacts,
    MlflowFacts,
    ModelVersion,
)
from mlkaizen.evidence.facts.registry import (
    CHALLENGER_ALIASES,
    SERVING_ALIASES,
    rollbacks,
    staged_models,
)
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.tree import RepoTree

MLFLOW = "mlflow"
SHOWN = 5  # objects named per fact (the most recent first)
# the facts live findings can state (every one is also a detector of the registry)
LIVE_FACTS = (
    "experiment_tracking_used",
    "shared_tracking_server",
    "model_registry_used",
    "champion_challenger_present",
    "delivery_metrics_tracked",
    "training_scheduled",
    "rollback_supported",
    "retraining_policy_revised",
)


@detector("retraining_policy_revised")
def retraining_policy_revised(tree: RepoTree) -> list[Finding]:
    """The retraining schedule or a drift threshold was revised within the window.

    Seen only in git history (``--window``): a commit that replaced a cron or schedule line
    of a CI or orchestrator file, or a drift or quality threshold line of a monitoring config,
    by another (a schedule or threshold first added is no revision). Found when the commit
    says it follows drift, staleness, monitoring or an alert; partly otherwise (revised, but
    nothing shows it came from monitoring). A work tree alone shows nothing of it.
    """
    del tree
    return []


DETECTORS = [retraining_policy_revised]


def live_findings(facts: LiveFacts, metrics: DeliveryMetrics | None = None) -> list[Finding]:
    """Every finding the live facts (and the delivery metrics measured from them) support."""
    out: list[Finding] = []
    if facts.mlflow is not None:
        out += _tracking(facts.mlflow) + _shared(facts.mlflow)
        out += _registry(facts.mlflow) + _challengers(facts.mlflow)
    if facts.history is not None:
        out += history_findings(facts.history)
    if facts.mlflow is not None:
        out += _set_aside(facts.mlflow)
    if metrics is not None:
        out += _measured(metrics)
    return sorted(out, key=Finding.sort_key)


def _tracking(m: MlflowFacts) -> list[Finding]:
    """Runs logged in the window, per experiment (the busiest first)."""
    names = {e.id: e.name for e in m.experiments}
    per: Counter[str] = Counter(r.experiment_id for r in m.runs)
    out = []
    for exp_id, n in per.most_common(SHOWN):
        runs = [r for r in m.runs if r.experiment_id == exp_id]
        logged = [r for r in runs if r.params or r.metrics]
        last = max(runs, key=lambda r: r.start)
        people = len({r.user for r in runs if r.user})
        who = f" by {people} {'person' if people == 1 else 'people'}" if people else ""
        what = (
            f"{len(logged)} with params or metrics logged"
            if logged
            else "none with params or metrics logged"
        )
        detail = (
            f"{n} run{'s' if n != 1 else ''} in experiment {names.get(exp_id, exp_id)!r}"
            f"{who} since {day(m.since)} ({what}), the last on {day(last.start)}"
        )
        out.append(
            found("experiment_tracking_used", MLFLOW, detail, f"runs:/{last.id}", not logged)
        )
    return out


def _shared(m: MlflowFacts) -> list[Finding]:
    """Runs of the window logged to the server: the team's tracking is shared, not local."""
    if not m.runs:
        return []
    people = len({r.user for r in m.runs if r.user})
    who = f" of {people} {'person' if people == 1 else 'people'}" if people else ""
    detail = f"{len(m.runs)} runs{who} since {day(m.since)} went to the tracking server"
    return [found("shared_tracking_server", MLFLOW, detail, m.server)]


def _lineage(m: MlflowFacts, v: ModelVersion) -> str:
    run = m.run(v.run_id)
    if v.run_id is None:
        return "(no run recorded)"
    if run is None:
        return f"from run {v.run_id[:8]}"
    return f"from run {v.run_id[:8]}" + (
        f", commit {run.git_commit[:7]}" if run.git_commit else ", no git commit logged"
    )


def _by_model(m: MlflowFacts) -> dict[str, list[ModelVersion]]:
    """The versions grouped by model, in one pass (a look at each model must not scan
    every version: a server may show many of both)."""
    out: dict[str, list[ModelVersion]] = {}
    for v in m.versions:
        out.setdefault(v.model, []).append(v)
    return out


def _registry(m: MlflowFacts) -> list[Finding]:
    """Registered models with versions (the most recently updated first)."""
    by_model = _by_model(m)
    newest = sorted(
        by_model.items(), key=lambda kv: max(v.created for v in kv[1]), reverse=True
    )
    out = []
    for name, versions in newest[:SHOWN]:
        latest = max(versions, key=lambda v: (v.created, v.version))
        recent = sum(m.since <= v.created <= m.until for v in versions)
        detail = (
            f"model {name!r} has {len(versions)} version{'s' if len(versions) != 1 else ''}, "
            f"{recent} registered since {day(m.since)}; the newest, {latest.version}, "
            f"on {day(latest.created)} {_lineage(m, latest)}"
        )
        out.append(found("model_registry_used", MLFLOW, detail, latest.uri))
    return out


def _challengers(m: MlflowFacts) -> list[Finding]:
    """A model with a serving version and a challenger beside it: aliases (found), or a
    Staging version beside the Production one (partly: a candidate, not yet compared live)."""
    out = []
    by_model = _by_model(m)
    for model in m.models:
        serving = {a: v for a, v in model.aliases.items() if a.lower() in SERVING_ALIASES}
        challenging = {
            a: v for a, v in model.aliases.items() if a.lower() in CHALLENGER_ALIASES
        }
        pair = next(
            ((s, c) for s in serving.items() for c in challenging.items() if s[1] != c[1]),
            None,
        )
        if pair is not None:
            (s_alias, s_version), (c_alias, c_version) = pair
            detail = (
                f"model {model.name!r}: alias {s_alias!r} on version {s_version}, "
                f"{c_alias!r} on version {c_version}"
            )
            obj = f"models:/{model.name}@{c_alias}"
            out.append(found("champion_challenger_present", MLFLOW, detail, obj))
            continue
        stages = {(v.stage or "").lower(): v for v in by_model.get(model.name, [])}
        if "production" in stages and "staging" in stages:
            staged = stages["staging"]
            detail = (
                f"model {model.name!r}: version {staged.version} in Staging beside version "
                f"{stages['production'].version} in Production (whether it is compared on "
                "live traffic is not recorded)"
            )
            out.append(
                found("champion_challenger_present", MLFLOW, detail, staged.uri, partial=True)
            )
    return out


def _set_aside(m: MlflowFacts) -> list[Finding]:
    """A newer version archived for an older one promoted back: the model was rolled back
    (only where the registry uses stages; :mod:`mlkaizen.evidence.facts.registry`)."""
    staged, back = staged_models(m), rollbacks(m)
    newest: dict[str, tuple[ModelVersion, ModelVersion]] = {}
    for v in m.versions:
        older = back.get((v.model, v.version))
        if older is None or v.model not in staged or v.created < m.since:
            continue
        if v.model not in newest or v.created > newest[v.model][0].created:
            newest[v.model] = (v, older)
    out = []
    for model in m.models:
        if model.name in newest:
            v, older = newest[model.name]
            detail = (
                f"model {model.name!r}: version {v.version} was archived and version "
                f"{older.version}, older, promoted back on {day(older.updated)}"
            )
            out.append(found("rollback_supported", MLFLOW, detail, v.uri, partial=True))
    return out


def _measured(metrics: DeliveryMetrics) -> list[Finding]:
    """The four delivery metrics measured from real release events."""
    freq = metrics.get("release-frequency")
    if freq is None or freq.confidence not in (Confidence.HIGH, Confidence.MEDIUM):
        return []  # a proxy (tags, retraining commits) or too few releases earns nothing
    others = [metrics.get(i) for i in ("lead-time", "change-failure-rate")]
    complete = all(m is not None and m.value is not None for m in others)
    shown = "; ".join(
        f"{m.name} {'≥ ' if m.lower_bound else ''}{m.value:g} {m.unit}"
        for m in metrics.metrics
        if m.value is not None
    )
    detail = f"delivery metrics measured from {freq.events} releases: {shown}"  # >= 3
    return [found("delivery_metrics_tracked", freq.source, detail, partial=not complete)]
