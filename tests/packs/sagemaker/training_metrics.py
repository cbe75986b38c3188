# expect: experiment_tracking_used
# Each training job records the metrics its regexes scrape from the script's output.
from sagemaker.pytorch import PyTorch

estimator = PyTorch(
    entry_point="train.py",
    role=role,
    instance_type="ml.g4dn.xlarge",
    metric_definitions=[{"Name": "val:map", "Regex": "map: ([0-9.]+)"}],
)
