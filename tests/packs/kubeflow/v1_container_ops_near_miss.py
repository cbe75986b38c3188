# ok: training_in_pipeline
import kfp.dsl as dsl


@dsl.pipeline(name="batch-scoring")
def scoring_pipeline(data_dir: str = "gs://bucket/new/*"):
    fetch = dsl.ContainerOp(name="fetch-data", image="gcr.io/p/fetch", arguments=[data_dir])
    dsl.ContainerOp(name="batch-predict", image="gcr.io/p/predict").after(fetch)
