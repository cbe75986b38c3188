# expect: experiment_tracking_used
from dvclive import Live
with Live() as live:
    live.log_metric("auc", 0.9)
