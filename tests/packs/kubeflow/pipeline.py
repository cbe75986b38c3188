# expect: pipeline_defined
from kfp import dsl
@dsl.component
def train() -> None: ...
@dsl.pipeline(name="churn")
def churn() -> None:
    train()
