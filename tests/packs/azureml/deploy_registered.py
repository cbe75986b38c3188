# expect: model_registry_used
# an online deployment of the latest registered version
from azure.ai.ml import MLClient
from azure.ai.ml.entities import ManagedOnlineDeployment
from azure.identity import DefaultAzureCredential

ml_client = MLClient.from_config(DefaultAzureCredential())
model = ml_client.models.get(name="churn", label="latest")
deployment = ManagedOnlineDeployment(name="blue", endpoint_name="churn", model=model)
