# ok: drift_detection_used
# ok: prediction_logging_present
# the standard library's logger: nothing reaches a monitoring service
import logging

import arize  # noqa: F401 - imported, never used

logging.getLogger("scoring").log(logging.INFO, "scored %d rows", 10)
