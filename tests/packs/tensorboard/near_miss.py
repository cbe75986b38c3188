# ok: experiment_tracking_used
import torch
print(torch.__version__)
