# ok: experiment_tracking_used
import neptune
print(neptune.__version__)
