# ok: model_serving_present
# ok: container_image_defined
import bentoml
model = bentoml.models.get("churn:latest")
