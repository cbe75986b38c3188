# ok: experiment_tracking_used
import logging
from azureml.core import Workspace
logging.getLogger("x").log(20, "no run here")
