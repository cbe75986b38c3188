# expect: model_serving_present
from mlflow.deployments import get_deploy_client


def release(name: str, version: int) -> None:
    client = get_deploy_client("sagemaker")
    client.create_deployment(name, f"models:/{name}/{version}")
