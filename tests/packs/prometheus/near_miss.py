# ok: service_metrics_exported
counter = {"prometheus": 0}
