# expect: training_in_pipeline
import kfp.dsl as dsl


@dsl.pipeline(name="ctr", description="copy, train, deploy")
def ctr_pipeline(data_dir: str = "gs://bucket/data/*"):
    copy = dsl.ContainerOp(name="copy-data", image="gcr.io/p/copy", arguments=[data_dir])
    train = dsl.ContainerOp(
        name="preprocess-train", image="gcr.io/p/train", command=["bash", "/train.sh"]
    ).after(copy)
    dsl.ContainerOp(name="deploy", image="gcr.io/p/deploy").after(train)
