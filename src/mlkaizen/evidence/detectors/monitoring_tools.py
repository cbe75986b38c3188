"""Vocabulary: the monitoring tools as :class:`Signature` tuples (drift detectors, service
metrics exporters, data-quality trackers, prediction loggers) and alert resources in IaC."""

from __future__ import annotations

from mlkaizen.evidence.detectors.platform_monitors import DATA_QUALITY as PLATFORM_QUALITY
from mlkaizen.evidence.detectors.platform_monitors import DRIFT as PLATFORM_DRIFT
from mlkaizen.evidence.detectors.text_search import any_of
from mlkaizen.evidence.detectors.usage import Signature

ALERT_RESOURCES = any_of(
    "aws_cloudwatch_metric_alarm",
    "azurerm_monitor_metric_alert",
    "google_monitoring_alert_policy",
    "Microsoft.Insights/metricAlerts",
    "grafana_rule_group",
    "datadog_monitor",
)
DRIFT_TOOLS = (
    Signature(
        "Evidently",
        ("evidently",),
        (
            "evidently.metric_preset.DataDriftPreset",
            "evidently.presets.DataDriftPreset",
            "evidently.metrics.DataDriftTable",
            "evidently.metrics.DatasetDriftMetric",
            "evidently.metric_preset.TargetDriftPreset",
            "evidently.report.Report",
            "evidently.Report",
            "evidently.test_preset.DataDriftTestPreset",
            "evidently.metrics.ValueDrift",
            "evidently.metrics.DriftedColumnsCount",
        ),
    ),
    Signature(
        "whylogs",
        ("whylogs",),
        (
            "whylogs.log",
            "whylogs.viz.drift",
            "whylogs.api.",
        ),
    ),
    Signature(
        # an Evidently report or test run as a ZenML step, comparing serving-time data with
        # the reference (training) data
        "Evidently (ZenML step)",
        ("zenml.integrations.evidently",),
        (
            "zenml.integrations.evidently.steps.evidently_report_step",
            "zenml.integrations.evidently.steps.evidently_test_step",
        ),
        keywords=("comparison_dataset",),
    ),
    Signature("NannyML", ("nannyml",), ("nannyml.",)),
    Signature("alibi-detect", ("alibi_detect",), ("alibi_detect.cd.",)),
    Signature(
        "Deepchecks drift",
        ("deepchecks",),
        (".FeatureDrift", ".TrainTestFeatureDrift", ".PredictionDrift", ".LabelDrift"),
    ),
    *PLATFORM_DRIFT,
    Signature("Azure ML data drift", ("azureml",), ("azureml.datadrift.",)),
)
METRICS_LIBS = (
    Signature(
        "Prometheus client",
        ("prometheus_client",),
        (
            "prometheus_client.Counter",
            "prometheus_client.Histogram",
            "prometheus_client.Gauge",
            "prometheus_client.Summary",
            "prometheus_client.start_http_server",
            "prometheus_client.make_asgi_app",
            "prometheus_client.make_wsgi_app",
        ),
    ),
    Signature(
        "Prometheus instrumentator",
        ("prometheus_fastapi_instrumentator", "prometheus_flask_exporter", "starlette_exporter"),
    ),
    Signature(
        "OpenTelemetry",
        ("opentelemetry",),
        ("opentelemetry.metrics.", "opentelemetry.trace.", "opentelemetry.instrumentation."),
    ),
    Signature("Datadog", ("datadog", "ddtrace")),
    Signature("StatsD", ("statsd",), ("statsd.StatsClient",)),
    Signature("CloudWatch", ("boto3",), (".put_metric_data",)),
    Signature(
        "Azure ML web service with Application Insights",
        ("azureml.core",),
        (".deploy_configuration", ".update"),
        keywords=("enable_app_insights=True",),
    ),
    Signature(
        "Azure Monitor OpenTelemetry",
        ("azure.monitor.opentelemetry", "opencensus.ext.azure"),
    ),
)
QUALITY = (
    Signature(
        "Evidently data quality",
        ("evidently",),
        (
            "evidently.metric_preset.DataQualityPreset",
            "evidently.presets.DataSummaryPreset",
            "evidently.metrics.DatasetSummaryMetric",
            "evidently.metric_preset.DataQualityPreset",
        ),
    ),
    Signature(
        "whylogs profiles",
        ("whylogs",),
        (
            "whylogs.log().writer*",
            "whylogs.log().view().write*",
            "whylogs.log().profile().view().write*",
            "whylogs.api.writer.*",
        ),
    ),
    Signature("Great Expectations data docs", ("great_expectations", "gx"), (".build_data_docs",)),
    *PLATFORM_QUALITY,
)
PREDICTION_LOGGING = (
    Signature(
        "SageMaker data capture", ("sagemaker",), ("sagemaker.model_monitor.DataCaptureConfig",)
    ),
    Signature("whylogs", ("whylogs",), ("whylogs.log",)),
)
