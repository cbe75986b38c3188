# expect: model_serving_present
# a serving endpoint created through the REST API
import requests


def create_endpoint(host: str, token: str, name: str, config: dict) -> requests.Response:
    return requests.post(
        f"https://{host}/api/2.0/serving-endpoints",
        headers={"Authorization": f"Bearer {token}"},
        json={"name": name, "config": config},
    )
