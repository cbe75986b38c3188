# expect: data_remote_storage_configured
from kfp import dsl

DATA = dsl.PipelineVolume(pvc="nfs-data-claim")


def preprocess_op():
    return dsl.ContainerOp(name="preprocess", image="pre:1", pvolumes={"/opt/data": DATA})
