# ok: model_registry_used
import mlflow
model = mlflow.pyfunc.load_model("models:/churn/1")
