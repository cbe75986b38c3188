# ok: model_serving_present
# a deployment step that waits for an endpoint someone else created to be ready
import requests


def ready(host: str, token: str, name: str) -> bool:
    r = requests.get(f"https://{host}/api/2.0/serving-endpoints/{name}",
                     headers={"Authorization": f"Bearer {token}"})
    return r.json()["state"]["ready"] == "READY"
