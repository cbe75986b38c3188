# ok: model_registry_used
# a model loaded from a run's artifacts: tracked, never registered
import mlflow


def load(run_id: str):
    return mlflow.pyfunc.load_model(f"runs:/{run_id}/model")
