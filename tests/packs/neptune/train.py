# expect: experiment_tracking_used
import neptune
run = neptune.init_run(project="team/churn")
