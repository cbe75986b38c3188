# ok: model_registry_used
# a model saved to and loaded from a local folder: no registry (a URI such as models:/churn/1
# names a registered version, and is evidence: serve_registered.py)
import mlflow
model = mlflow.pyfunc.load_model("artifacts/models/churn")
