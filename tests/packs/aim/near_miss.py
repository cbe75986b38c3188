# ok: experiment_tracking_used
import aim  # imported, never used to track
print(aim.__version__)
