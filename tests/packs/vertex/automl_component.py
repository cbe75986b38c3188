# expect: model_registry_used
# an AutoML training component in a Vertex AI pipeline: the model it trains is registered
from google_cloud_pipeline_components.v1.automl.training_job import AutoMLTabularTrainingJobRunOp
from kfp import dsl


@dsl.pipeline(name="fraud")
def pipeline(project: str, dataset):
    AutoMLTabularTrainingJobRunOp(
        project=project,
        display_name="fraud-automl",
        optimization_prediction_type="classification",
        dataset=dataset,
        target_column="is_fraud",
    )
