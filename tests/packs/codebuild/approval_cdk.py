# expect: deployment_approval_gates
# a CDK pipeline whose production stage waits for a person's approval
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_codepipeline_actions as actions

pipeline = codepipeline.Pipeline(stack, "Deploy")
pipeline.add_stage(
    stage_name="ApproveProduction",
    actions=[actions.ManualApprovalAction(action_name="Approve")],
)
