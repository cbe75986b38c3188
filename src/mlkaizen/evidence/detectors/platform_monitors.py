"""Vocabulary: the cloud ML platforms' monitoring jobs, as :class:`Signature` tuples.

Drift and skew monitors, data-quality monitors and the alerts they raise, for SageMaker Model
Monitor, Vertex AI model monitoring, Azure ML model monitoring (SDK v2) and Databricks
Lakehouse Monitoring. Platform configuration files are read by :mod:`.platform_config`.
"""

from __future__ import annotations

from mlkaizen.evidence.detectors.usage import Signature

_VERTEX = (
    "google.cloud.aiplatform",
    "google.cloud.aiplatform_v1",
    "google.cloud.aiplatform_v1beta1",
)

DRIFT = (
    Signature(
        "SageMaker Model Monitor",
        ("sagemaker",),
        (
            "sagemaker.model_monitor.DefaultModelMonitor",
            "sagemaker.model_monitor.ModelQualityMonitor",
            "sagemaker.model_monitor.ModelBiasMonitor",
            "sagemaker.model_monitor.ModelExplainabilityMonitor",
            "sagemaker.model_monitor.ModelMonitor",
            "sagemaker.workflow.quality_check_step.DataQualityCheckConfig",
            "sagemaker.workflow.quality_check_step.ModelQualityCheckConfig",
        ),
    ),
    Signature(
        "SageMaker Model Monitor", ("aws_cdk",), ("aws_cdk.aws_sagemaker.CfnMonitoringSchedule",)
    ),
    Signature(
        "Vertex AI Model Monitoring",
        _VERTEX,
        (
            "google.cloud.aiplatform.ModelDeploymentMonitoringJob*",
            "google.cloud.aiplatform_v1.ModelDeploymentMonitoringJob*",
            "google.cloud.aiplatform_v1beta1.ModelDeploymentMonitoringJob*",
            "google.cloud.aiplatform.model_monitoring.DriftDetectionConfig",
            "google.cloud.aiplatform.model_monitoring.SkewDetectionConfig",
            "google.cloud.aiplatform.model_monitoring.ObjectiveConfig",
            ".create_model_deployment_monitoring_job",
        ),
    ),
    Signature(
        "Azure ML model monitoring (SDK v2)",
        ("azure.ai.ml",),
        (
            "azure.ai.ml.entities.MonitorSchedule",
            "azure.ai.ml.entities.MonitorDefinition",
            "azure.ai.ml.entities.DataDriftSignal",
            "azure.ai.ml.entities.PredictionDriftSignal",
        ),
    ),
    Signature(
        "Databricks Lakehouse Monitoring",
        ("databricks.lakehouse_monitoring", "databricks.sdk"),
        ("databricks.lakehouse_monitoring.create_monitor", ".quality_monitors.create"),
    ),
)

DATA_QUALITY = (
    Signature(
        "SageMaker data-quality monitoring",
        ("sagemaker",),
        (
            "sagemaker.model_monitor.DefaultModelMonitor",
            "sagemaker.workflow.quality_check_step.DataQualityCheckConfig",
        ),
    ),
    Signature(
        "Azure ML data-quality signal",
        ("azure.ai.ml",),
        ("azure.ai.ml.entities.DataQualitySignal",),
    ),
    Signature(
        "Databricks Lakehouse Monitoring",
        ("databricks.lakehouse_monitoring", "databricks.sdk"),
        ("databricks.lakehouse_monitoring.create_monitor", ".quality_monitors.create"),
    ),
)

ALERTS = (
    Signature(
        "Vertex AI monitoring alerts",
        _VERTEX,
        (
            "google.cloud.aiplatform.model_monitoring.EmailAlertConfig",
            "google.cloud.aiplatform_v1.ModelMonitoringAlertConfig*",
            "google.cloud.aiplatform_v1beta1.ModelMonitoringAlertConfig*",
        ),
    ),
    Signature(
        "Azure ML monitoring alerts", ("azure.ai.ml",), ("azure.ai.ml.entities.AlertNotification",)
    ),
    Signature("CloudWatch alarm", ("boto3",), (".put_metric_alarm",), keywords=("AlarmName",)),
)
