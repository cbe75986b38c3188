# expect: service_metrics_exported
from datadog import statsd
statsd.increment("predictions")
