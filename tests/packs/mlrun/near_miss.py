# ok: experiment_tracking_used
# ok: model_serving_present
import mlrun
project = mlrun.get_or_create_project("fraud", context="./")
