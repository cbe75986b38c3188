# expect: experiment_tracking_used
import comet_ml
experiment = comet_ml.Experiment(project_name="churn")
