# expect: pipeline_defined
from stepfunctions.steps import Chain, TrainingStep
from stepfunctions.workflow import Workflow
workflow = Workflow(name="train", definition=Chain([TrainingStep("Train", estimator=est, data=d, job_name=j)]), role=r)
# expect: validation_gate_present
from stepfunctions.steps import Choice, ChoiceRule
gate = Choice("RMSE below 10")
gate.add_choice(ChoiceRule.NumericLessThan(variable=evaluate.output()["Payload"]["rmse"], value=10), next_step=deploy)
