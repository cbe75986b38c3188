# expect: experiment_tracking_used
import wandb
run = wandb.init(project="churn")
run.log({"auc": 0.9})
