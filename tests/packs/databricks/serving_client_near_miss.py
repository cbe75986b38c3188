# ok: model_serving_present
# a client that scores against an endpoint someone else serves
import requests


def score(host: str, token: str, name: str, rows: list[dict]) -> dict:
    url = f"https://{host}/serving-endpoints/{name}/invocations"
    return requests.post(url, headers={"Authorization": f"Bearer {token}"},
                         json={"dataframe_records": rows}).json()
