# expect: experiment_tracking_used
from torch.utils.tensorboard import SummaryWriter
writer = SummaryWriter("runs/churn")
