# ok: model_registry_used
# listing endpoints is serving, not the registry
from google.cloud import aiplatform

endpoints = aiplatform.Endpoint.list(filter='display_name="churn"')
