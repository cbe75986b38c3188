# ok: service_metrics_exported
import boto3
boto3.client("cloudwatch").describe_alarms()
