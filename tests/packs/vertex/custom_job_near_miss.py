# ok: model_registry_used
# a custom training job component trains on Vertex AI; nothing uploads its model to the registry
from google_cloud_pipeline_components.v1.custom_job import CustomTrainingJobOp
from kfp import dsl


@dsl.pipeline(name="fraud")
def pipeline(project: str):
    CustomTrainingJobOp(project=project, display_name="train", worker_pool_specs=[])
