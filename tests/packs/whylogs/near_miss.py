# ok: prediction_logging_present
import logging
logging.info("whylogs later")
