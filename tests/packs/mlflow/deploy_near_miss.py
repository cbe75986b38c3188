# ok: model_serving_present
# A client made for the deployments API, used only to query a served endpoint.
from mlflow.deployments import get_deploy_client

client = get_deploy_client("databricks")
answer = client.predict(endpoint="chat", inputs={"messages": []})
