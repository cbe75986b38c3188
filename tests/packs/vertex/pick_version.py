# expect: model_registry_used
# the newest registered version of a model, picked to compare with a candidate
from google.cloud import aiplatform

models = aiplatform.Model.list(filter='display_name="churn"', order_by="create_time desc")
current = models[0] if models else None
