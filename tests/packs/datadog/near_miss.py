# ok: service_metrics_exported
import logging
logging.info("datadog is configured elsewhere")
