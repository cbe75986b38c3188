# expect: service_metrics_exported
import boto3
boto3.client("cloudwatch").put_metric_data(Namespace="scorer", MetricData=[])
