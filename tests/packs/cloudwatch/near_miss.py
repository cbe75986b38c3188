# ok: service_metrics_exported
# ok: dashboards_defined
import boto3
boto3.client("cloudwatch").describe_alarms()
