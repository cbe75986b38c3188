# ok: training_scheduled
from flytekit import LaunchPlan
manual = LaunchPlan.get_or_create(retrain, name="by-hand")
