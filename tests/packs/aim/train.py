# expect: experiment_tracking_used
from aim import Run
run = Run(experiment="churn")
run.track(0.91, name="auc")
