# ok: experiment_tracking_used
import wandb
api = wandb.Api()
