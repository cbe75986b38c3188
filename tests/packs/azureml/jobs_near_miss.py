# ok: model_registry_used
# reading jobs and data assets is not the model registry
from azure.ai.ml import MLClient
from azure.identity import DefaultAzureCredential

ml_client = MLClient.from_config(DefaultAzureCredential())
job = ml_client.jobs.get("train-42")
data = ml_client.data.get(name="churn", label="latest")
