# ok: service_metrics_exported
import time
start = time.monotonic()
