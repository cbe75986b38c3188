"""Vocabulary: alert resources in IaC. The monitoring libraries (drift detectors, metrics
exporters, data-quality trackers, prediction loggers) are stack packs."""

from __future__ import annotations

from mlkaizen.evidence.detectors.text_search import any_of

ALERT_RESOURCES = any_of(
    "aws_cloudwatch_metric_alarm",
    "azurerm_monitor_metric_alert",
    "google_monitoring_alert_policy",
    "Microsoft.Insights/metricAlerts",
    "grafana_rule_group",
    "datadog_monitor",
)
