# expect: experiment_tracking_used
# expect: model_registry_used
import mlrun
def train(context: mlrun.MLClientCtx, n: int = 10) -> None:
    context.log_result("accuracy", 0.93)
    context.log_model("fraud", body=b"", model_file="model.pkl")
