# expect: pipeline_defined
# expect: training_scheduled
from flytekit import CronSchedule, LaunchPlan, task, workflow
@task
def train() -> None: ...
@workflow
def retrain() -> None:
    train()
hourly = LaunchPlan.get_or_create(retrain, name="hourly", schedule=CronSchedule(schedule="0 * * * *"))
