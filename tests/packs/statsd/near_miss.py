# ok: service_metrics_exported
client = None
