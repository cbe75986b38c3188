# expect: pipeline_defined
from kedro.pipeline import node, pipeline
def create_pipeline(**kwargs):
    return pipeline([node(train, "features", "model")])
