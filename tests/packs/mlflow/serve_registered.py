# expect: model_registry_used
# a service that loads the registered Production version and reads its metadata
import mlflow
from mlflow import MlflowClient


def load(name: str):
    model = mlflow.pyfunc.load_model(model_uri=f"models:/{name}/Production")
    version = MlflowClient().get_latest_versions(name, stages=["Production"])[0]
    return model, version.version
