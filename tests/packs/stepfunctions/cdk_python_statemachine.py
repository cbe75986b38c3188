# expect: pipeline_defined
from aws_cdk import Stack
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks


class RetrainStack(Stack):
    def __init__(self, scope, construct_id, import_fn, train_fn):
        super().__init__(scope, construct_id)
        chain = tasks.LambdaInvoke(self, "Import", lambda_function=import_fn).next(
            tasks.LambdaInvoke(self, "Train", lambda_function=train_fn)
        )
        sfn.StateMachine(self, "Retrain", definition_body=sfn.DefinitionBody.from_chainable(chain))
