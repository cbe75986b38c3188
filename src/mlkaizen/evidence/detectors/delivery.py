"""Delivery: progressive rollout, rollback, and delivery metrics."""

from __future__ import annotations

import re

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.ci_runs import ci_steps_matching
from mlkaizen.evidence.detectors.documents import ci_pipelines, k8s_objects
from mlkaizen.evidence.detectors.platform_config import config_findings
from mlkaizen.evidence.detectors.text_search import search_files
from mlkaizen.evidence.detectors.usage import Signature, find_usage
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.parse.yamlfile import mentions
from mlkaizen.evidence.tree import RepoTree

_ROLLBACK = re.compile(
    r"(helm rollback|kubectl rollout undo|argo rollouts (abort|undo)|"
    r"\brollback\b|AutoRollbackConfiguration|revert[_-]model)",
    re.I,
)
_ROLLBACK_NAME = re.compile(r"(?<![a-z])(roll[\s_-]?back|revert)", re.I)
_CLOUD_ROLLOUT = re.compile(
    r"(BlueGreenUpdatePolicy|CanarySize|LinearStepSize|"
    r"ShadowProductionVariants|\.traffic\s*=\s*\{)"
)
_CLI_TRAFFIC = re.compile(
    r"(az ml online-endpoint update\b[^\n]*--(mirror-)?traffic[ =]+[\"']?[\w-]+=\d+[ ,]+[\w-]+=\d+|"
    r"gcloud ai endpoints deploy-model\b[^\n]*--traffic-split[ =]+\S+,\S+)"
)
_TRAFFIC_SPLIT = (
    Signature(
        "Vertex AI traffic split", ("google.cloud.aiplatform",), (".deploy",), ("traffic_split",)
    ),
    Signature(
        "Azure ML shadow traffic",
        ("azure.ai.ml",),
        ("azure.ai.ml.entities.ManagedOnlineEndpoint",),
        ("mirror_traffic",),
    ),
)
_DORA = re.compile(
    r"(four-?keys|dora[_-]?metrics|devlake|sleuth|linearb|"
    r"deployment[_-]frequency|lead[_-]time[_-]for[_-]changes|"
    r"change[_-]failure[_-]rate|time[_-]to[_-]restore|mttr)",
    re.I,
)


@detector("progressive_delivery_configured")
def progressive_delivery_configured(tree: RepoTree) -> list[Finding]:
    """New model versions roll out progressively (canary, blue/green, shadow, traffic split).

    Evidence: Argo Rollouts, Flagger canaries, KServe ``canaryTrafficPercent``, Istio weighted
    routes, SageMaker blue/green or canary deployment config, Azure ML endpoint traffic splits
    (SDK ``endpoint.traffic``/``mirror_traffic``, CLI v2 endpoint YAML with two deployments,
    ``az ml online-endpoint update --traffic "blue=90 green=10"``), Vertex AI
    ``deploy(traffic_split=...)`` or ``gcloud ai endpoints deploy-model --traffic-split``,
    Databricks serving endpoints routing traffic over two served models.
    Not evidence: all traffic on one deployment (``--traffic "blue=100"``).
    """
    out = find_usage(tree, "progressive_delivery_configured", _TRAFFIC_SPLIT)
    out += config_findings(tree, "progressive_delivery_configured")
    out += ci_steps_matching(
        tree, "progressive_delivery_configured", _CLI_TRAFFIC, "splits endpoint traffic"
    )
    for rel, doc in k8s_objects(tree):
        kind = doc.get("kind")
        spec = doc.get("spec")
        if kind == "Rollout" or (kind == "Canary" and "flagger" in str(doc.get("apiVersion"))):
            out.append(
                tree.finding(
                    "progressive_delivery_configured",
                    rel,
                    getattr(doc, "line", 1),
                    f"{kind} (progressive rollout)",
                )
            )
        elif kind == "InferenceService" and mentions(spec, "canaryTrafficPercent"):
            out.append(
                tree.finding(
                    "progressive_delivery_configured", rel, getattr(doc, "line", 1), "KServe canary"
                )
            )
        elif kind == "VirtualService" and mentions(spec, "weight"):
            out.append(
                tree.finding(
                    "progressive_delivery_configured",
                    rel,
                    getattr(doc, "line", 1),
                    "Istio weighted routing",
                )
            )
    out += search_files(
        tree,
        "progressive_delivery_configured",
        tree.importing({"sagemaker", "boto3", "azure"}),
        _CLOUD_ROLLOUT,
        lambda m: f"progressive rollout: {m.group(0).strip()}",
    )
    return out


@detector("rollback_supported")
def rollback_supported(tree: RepoTree) -> list[Finding]:
    """A release can be rolled back by a defined, scripted step (helm rollback, kubectl
    rollout undo, SageMaker auto-rollback, a rollback job in CI or a Makefile target)."""
    out = ci_steps_matching(tree, "rollback_supported", _ROLLBACK, "rolls back")
    out += search_files(
        tree,
        "rollback_supported",
        [*tree.named("Makefile"), *tree.shell_scripts()],
        _ROLLBACK,
        lambda m: f"rollback: {m.group(0)}",
        read=tree.shell_text,
    )
    return out


@detector("rollback_job_named")
def rollback_job_named(tree: RepoTree) -> list[Finding]:
    """A CI job or step is named for a rollback ("Roll_Back", "rollback-model", "Revert").

    A name is not a rollback: what the job runs may redeploy anything. It credits no
    practice; it turns the rollback question into a confirmation naming the job.
    """
    out: list[Finding] = []
    for pipe in ci_pipelines(tree):
        for job in pipe.jobs:
            if _ROLLBACK_NAME.search(job.name):
                where, line, what = job.file or pipe.file, job.line, f"job {job.name!r}"
            else:
                step = next((s for s in job.steps if _ROLLBACK_NAME.search(s.name)), None)
                if step is None:
                    continue
                where, line = step.file or job.file or pipe.file, step.line
                what = f"step {step.name!r} of job {job.name!r}"
            out.append(
                tree.finding(
                    "rollback_job_named",
                    where,
                    line,
                    f"{pipe.provider} {what}",
                    provider=pipe.provider,
                )
            )
    return out


@detector("delivery_metrics_tracked")
def delivery_metrics_tracked(tree: RepoTree) -> list[Finding]:
    """Delivery metrics (release frequency, lead time, change-failure rate, time to restore)
    are computed by tooling kept in the repository (Four Keys, DevLake, a DORA job)."""
    files = [
        f
        for f in tree.with_suffix(".yml", ".yaml", ".py", ".sql")
        if f.startswith((".github/", ".gitlab", "ops/", "metrics/", "scripts/"))
    ]
    return search_files(
        tree, "delivery_metrics_tracked", files, _DORA, lambda m: f"delivery metrics: {m.group(0)}"
    )


DETECTORS = [
    progressive_delivery_configured,
    rollback_supported,
    rollback_job_named,
    delivery_metrics_tracked,
]
