# expect: experiment_tracking_used
from google.cloud import aiplatform
aiplatform.init(experiment="churn")
aiplatform.start_run("run-1")
aiplatform.log_metrics({"auc": 0.9})
