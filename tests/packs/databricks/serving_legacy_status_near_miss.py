# ok: model_serving_present
# reads the state of legacy MLflow model serving that someone else switched on
import requests


def serving_state(host: str, token: str, model_name: str) -> str:
    r = requests.get(f"https://{host}/api/2.0/preview/mlflow/endpoints/get-status",
                     params={"registered_model_name": model_name},
                     headers={"Authorization": f"Bearer {token}"})
    return str(r.json()["endpoint_status"]["state"])
