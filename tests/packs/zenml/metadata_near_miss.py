# ok: experiment_tracking_used
# A pipeline that reads run metadata logs none; a log_metadata of another library is not ZenML's.
from zenml import step
from zenml.client import Client

from reporting import log_metadata


@step
def report() -> None:
    run = Client().get_pipeline_run("training")
    log_metadata({"status": run.status})
