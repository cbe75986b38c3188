# ok: pipeline_defined
from aws_cdk import Stack
from aws_cdk import aws_lambda as lambda_


class FunctionsStack(Stack):
    def __init__(self, scope, construct_id):
        super().__init__(scope, construct_id)
        # a StateMachine(...) would orchestrate these; this stack only declares them
        lambda_.Function(self, "Train", runtime=lambda_.Runtime.PYTHON_3_12, handler="t.h",
                         code=lambda_.Code.from_asset("train"))
