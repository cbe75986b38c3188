# ok: pipeline_defined
from prefect import get_run_logger
