# expect: experiment_tracking_used
# expect: model_registry_used
import mlflow
with mlflow.start_run():
    mlflow.log_metric("auc", 0.91)
mlflow.register_model("runs:/abc/model", "churn")
