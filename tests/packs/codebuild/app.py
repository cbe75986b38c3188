# expect: ci_configured
from aws_cdk import pipelines
pipeline = pipelines.CodePipeline(stack, "Pipeline", synth=synth)
