# expect: experiment_tracking_used
from zenml import log_metadata, step


@step
def evaluate(model, X, y) -> float:
    score = model.score(X, y)
    log_metadata(metadata={"accuracy": score}, infer_model=True)
    return score
