"""Monitoring: drift detection, metrics, dashboards, alerts, prediction logs, data quality."""

from __future__ import annotations

import re

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.documents import k8s_objects, yaml_documents
from mlkaizen.evidence.detectors.drift_code import hand_written_drift
from mlkaizen.evidence.detectors.monitoring_tools import ALERT_RESOURCES
from mlkaizen.evidence.detectors.platform_config import config_findings
from mlkaizen.evidence.detectors.prometheus_config import has_alert_rules, scrapes_a_service
from mlkaizen.evidence.detectors.text_search import search_files
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.parse.structured import load_json
from mlkaizen.evidence.parse.yamlfile import as_dict, mentions
from mlkaizen.evidence.tree import RepoTree


@detector("drift_detection_used")
def drift_detection_used(tree: RepoTree) -> list[Finding]:
    """Code checks data or prediction drift (Evidently, whylogs, NannyML, alibi-detect,
    Deepchecks drift checks, and the ML platforms' monitoring jobs).

    Platforms: SageMaker Model Monitor (``DefaultModelMonitor``, ``ModelQualityMonitor``,
    bias/explainability monitors, pipeline quality checks, CDK ``CfnMonitoringSchedule``),
    Vertex AI model monitoring (``ModelDeploymentMonitoringJob``, a batch prediction job
    with ``modelMonitoringConfig``), Azure ML data drift (SDK v1
    ``azureml.datadrift``, SDK v2 ``MonitorSchedule``/drift signals, a CLI v2 schedule with
    ``create_monitor``), Databricks Lakehouse Monitoring (``create_monitor``,
    ``quality_monitors`` in SDK code or bundles). The team's own drift code, in a module
    about drift or monitoring: a two-sample test, a population stability index, or a drift
    measure held against a threshold (``if drift > DRIFT_THRESHOLD``); where the module or a
    function says drift, a distance between two samples (``distance.euclidean``).
    Not evidence: capturing requests alone (SageMaker ``DataCaptureConfig`` is prediction
    logging).
    """
    out = _vertex_job_monitoring(tree)  # the drift libraries' calls: the stack packs
    return out + hand_written_drift(tree) + config_findings(tree, "drift_detection_used")


_VERTEX_MONITORING = re.compile(
    r"[\"'](?:modelMonitoringConfig|model_monitoring_config)[\"']|\bmodel_monitoring_config\s*="
)


def _vertex_job_monitoring(tree: RepoTree) -> list[Finding]:
    """A Vertex AI batch prediction job submitted with a model monitoring config (skew or
    drift objectives), built as a request dictionary."""
    return search_files(
        tree,
        "drift_detection_used",
        tree.importing({"google"}),
        _VERTEX_MONITORING,
        lambda m: "Vertex AI prediction job with model monitoring (skew/drift objectives)",
        prefilter="onitoring",
    )


@detector("service_metrics_exported")
def service_metrics_exported(tree: RepoTree) -> list[Finding]:
    """The service exports operational metrics (Prometheus client/instrumentator,
    OpenTelemetry, Datadog, StatsD, CloudWatch), or Prometheus scrapes it, or the platform
    collects them: an Azure ML web service or online deployment with Application Insights
    enabled (``appInsightsEnabled: true`` in a v1 deployment config, ``app_insights_enabled``
    in CLI v2, ``enable_app_insights=True`` in SDK v1). A scrape config counts in its own
    ``prometheus.yml`` or in the ConfigMap that mounts it, when it scrapes a service of the
    team's: not a placeholder, not only the cluster (Prometheus itself, node-exporter,
    cAdvisor, kubelet)."""
    out = config_findings(tree, "service_metrics_exported")  # libraries: the stack packs
    for rel in tree.named("prometheus.yml", "prometheus.yaml"):
        if scrapes_a_service(tree.text(rel) or ""):
            out.append(tree.finding("service_metrics_exported", rel, 1, "Prometheus scrape config"))
    for rel, doc in k8s_objects(tree):
        if doc.get("kind") == "ConfigMap" and any(
            str(key).startswith("prometheus.y") and scrapes_a_service(str(value))
            for key, value in as_dict(doc.get("data")).items()
        ):
            detail = "Prometheus scrape config (in a ConfigMap)"
            out.append(
                tree.finding("service_metrics_exported", rel, getattr(doc, "line", 1), detail)
            )
        if doc.get("kind") in ("ServiceMonitor", "PodMonitor"):
            out.append(
                tree.finding(
                    "service_metrics_exported",
                    rel,
                    getattr(doc, "line", 1),
                    f"Prometheus {doc.get('kind')}",
                )
            )
    return out


@detector("dashboards_defined")
def dashboards_defined(tree: RepoTree) -> list[Finding]:
    """Monitoring dashboards are kept as code (Grafana dashboard JSON or provisioning)."""
    out: list[Finding] = []
    for rel in tree.with_suffix(".json"):
        low = rel.lower()
        if "dashboard" not in low and "grafana" not in low:
            continue
        doc = tree.parsed(rel, "json", load_json)
        if isinstance(doc, dict) and "panels" in (doc.get("dashboard") or doc):
            out.append(tree.finding("dashboards_defined", rel, 1, "Grafana dashboard"))
    for rel in tree.glob("*grafana*/provisioning/*"):
        out.append(tree.finding("dashboards_defined", rel, 1, "Grafana provisioning"))
    return out


@detector("alert_rules_defined")
def alert_rules_defined(tree: RepoTree) -> list[Finding]:
    """Alert rules are defined as code (Prometheus rules, PrometheusRule, Alertmanager,
    Grafana alerting, CloudWatch alarms, Azure Monitor alerts), or a platform monitoring job
    alerts on breaches (Vertex AI monitoring alert config, Azure ML monitor
    ``alert_notification``, Databricks quality-monitor notifications, boto3
    ``put_metric_alarm``). Prometheus rules count in a rule file, in the ConfigMap that
    mounts one, or in a chart's values."""
    out = config_findings(tree, "alert_rules_defined")  # SDK calls: the stack packs
    for rel, doc in yaml_documents(tree):
        if not isinstance(doc, dict):
            continue
        if doc.get("kind") == "PrometheusRule" or (
            "alert" in (tree.text(rel) or "") and has_alert_rules(doc)
        ):
            out.append(
                tree.finding(
                    "alert_rules_defined", rel, getattr(doc, "line", 1), "Prometheus alerting rules"
                )
            )
        elif "route" in doc and "receivers" in doc:
            out.append(
                tree.finding(
                    "alert_rules_defined", rel, getattr(doc, "line", 1), "Alertmanager routing"
                )
            )
    out += search_files(
        tree,
        "alert_rules_defined",
        tree.with_suffix(".tf", ".bicep"),
        ALERT_RESOURCES,
        lambda m: f"alert: {m.group(0)}",
    )
    return out


@detector("prediction_logging_present")
def prediction_logging_present(tree: RepoTree) -> list[Finding]:
    """Predictions (inputs and outputs) are logged for later analysis.

    Evidence: SageMaker ``DataCaptureConfig``, KServe/Seldon request loggers, whylogs in
    serving code, or serving code that logs or stores predictions (a logging call or
    insert whose text mentions "prediction").
    """
    out: list[Finding] = []  # libraries: the stack packs
    for rel, doc in k8s_objects(tree):
        kind = doc.get("kind")
        if kind in ("InferenceService", "SeldonDeployment") and mentions(doc.get("spec"), "logger"):
            out.append(
                tree.finding(
                    "prediction_logging_present",
                    rel,
                    getattr(doc, "line", 1),
                    f"{doc.get('kind')} request logger",
                )
            )
    for rel in tree.importing({"fastapi", "flask", "bentoml", "starlette", "litestar"}):
        facts = tree.python(rel)
        for call in facts.calls if facts else []:
            last = call.name.rsplit(".", 1)[-1]
            if last in (
                "info",
                "debug",
                "warning",
                "log",
                "insert",
                "insert_one",
                "write",
                "send",
                "produce",
                "put_record",
                "writerow",
            ) and any("predict" in a.lower() for a in call.str_args):
                out.append(
                    tree.finding(
                        "prediction_logging_present",
                        rel,
                        call.line,
                        f"serving code logs predictions: {call.name}()",
                    )
                )
                break
    return out


@detector("data_quality_tracked")
def data_quality_tracked(tree: RepoTree) -> list[Finding]:
    """Data-quality metrics are computed and kept (Evidently data-quality presets, whylogs
    profiles written out, Great Expectations data docs, SageMaker data-quality monitoring,
    Azure ML data-quality signals, Databricks Lakehouse Monitoring).

    Evidence: the tool imported and called: an Evidently data-quality preset or summary
    metric, a whylogs profile written through a whylogs writer (``why.log(df).writer(...)``,
    ``whylogs.api.writer``), or ``build_data_docs``; or a platform's data-quality monitor in
    its configuration. Not evidence: any ``.write`` call in a file that imports whylogs.
    """
    return config_findings(tree, "data_quality_tracked")  # libraries: the stack packs


DETECTORS = [
    drift_detection_used,
    service_metrics_exported,
    dashboards_defined,
    alert_rules_defined,
    prediction_logging_present,
    data_quality_tracked,
]
