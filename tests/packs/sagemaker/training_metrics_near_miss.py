# ok: experiment_tracking_used
# A training job with no metric definitions records nothing beyond its logs.
from sagemaker.pytorch import PyTorch

estimator = PyTorch(entry_point="train.py", role=role, instance_type="ml.g4dn.xlarge")
