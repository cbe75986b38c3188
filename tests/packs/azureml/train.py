# expect: experiment_tracking_used
from azureml.core import Run
run = Run.get_context()
run.log("rmse", 0.3)
