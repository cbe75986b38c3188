# expect: deployment_approval_gates
# model versions registered pending a person's approval; only approved ones are deployed
from sagemaker.workflow.parameters import ParameterString

model_approval_status = ParameterString(
    name="ModelApprovalStatus", default_value="PendingManualApproval"
)
