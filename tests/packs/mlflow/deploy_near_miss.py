# ok: model_serving_present
# A client made for the deployments API, used only to query a served endpoint; and another
# library's create_deployment in a file that logs runs to MLflow.
import mlflow
from kubernetes import client as k8s
from mlflow.deployments import get_deploy_client

client = get_deploy_client("databricks")
answer = client.predict(endpoint="chat", inputs={"messages": []})
mlflow.log_metric("latency", 0.1)
k8s.AppsV1Api().create_namespaced_deployment(namespace="ml", body={})
