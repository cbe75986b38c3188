# expect: model_registry_used
from mlrun.artifacts import get_model, update_model
def promote(model_path: str, accuracy: float) -> None:
    _, model_obj, _ = get_model(model_path, suffix=".pkl")
    update_model(model_obj, labels={"stage": "production"}, metrics={"accuracy": accuracy})
