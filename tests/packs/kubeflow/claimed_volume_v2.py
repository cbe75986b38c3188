# expect: data_remote_storage_configured
from kfp import dsl, kubernetes

DATA_CLAIM = "shared-datasets"


@dsl.pipeline(name="train")
def pipeline() -> None:
    task = train_op()
    kubernetes.mount_pvc(task, pvc_name=DATA_CLAIM, mount_path="/data")
