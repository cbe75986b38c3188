# ok: model_serving_present
import bentoml
model = bentoml.models.get("churn:latest")
