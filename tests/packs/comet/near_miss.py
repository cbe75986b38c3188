# ok: experiment_tracking_used
import comet_ml
print(comet_ml.__version__)
