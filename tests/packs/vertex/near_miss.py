# ok: experiment_tracking_used
from google.cloud import aiplatform
aiplatform.init(project="p")
