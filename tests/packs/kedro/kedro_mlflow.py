# expect: experiment_tracking_used
from kedro.pipeline import Pipeline
from kedro_mlflow.pipeline import pipeline_ml_factory

from spaceship.pipelines import inference, training


def register_pipelines() -> dict[str, Pipeline]:
    ml = pipeline_ml_factory(training=training.create(), inference=inference.create(),
                             input_name="features")
    return {"__default__": ml, "training": ml}
