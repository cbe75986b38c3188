# expect: pipeline_defined
from stepfunctions.steps import Chain, TrainingStep
from stepfunctions.workflow import Workflow
workflow = Workflow(name="train", definition=Chain([TrainingStep("Train", estimator=est, data=d, job_name=j)]), role=r)
