# expect: pipeline_defined
from zenml import pipeline, step
@step
def load() -> int:
    save_artifact(42, name="raw_rows")
    return 42
@pipeline
def training():
    load()
