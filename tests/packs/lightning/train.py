# expect: experiment_tracking_used
import lightning as L
from lightning.pytorch import loggers
trainer = L.Trainer(logger=loggers.MLFlowLogger(experiment_name="churn"))
