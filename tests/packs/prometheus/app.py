# expect: service_metrics_exported
from prometheus_client import Counter
PREDICTIONS = Counter("predictions_total", "Predictions served")
