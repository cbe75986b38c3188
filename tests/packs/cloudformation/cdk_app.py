# expect: infrastructure_as_code
# a CDK app kept without its cdk.json: the stacks are still declared in code
import aws_cdk as cdk
from model_registry_stack import ModelRegistryStack

app = cdk.App()
ModelRegistryStack(app, "ModelRegistryStack")
app.synth()
