# ok: experiment_tracking_used
from clearml import StorageManager
StorageManager.get_local_copy("s3://bucket/data.csv")
