# expect: model_serving_present
# legacy MLflow model serving switched on for a registered model; the host already ends in
# the API version, so the path is a literal of its own
import requests


class Deployer:
    def __init__(self, workspace: str, token: str) -> None:
        self._host = f"https://{workspace}/api/2.0"
        self._token = token

    def enable_serving(self, model_name: str) -> None:
        endpoint_path = "/mlflow/endpoints-v2/enable"
        requests.post(
            url=f"{self._host}{endpoint_path}",
            json={"registered_model_name": model_name},
            headers={"Authorization": f"Bearer {self._token}"},
        )
