# expect: service_metrics_exported
from opentelemetry import metrics
meter = metrics.get_meter("scorer")
