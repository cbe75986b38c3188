# expect: data_remote_storage_configured
from kfp import dsl, kubernetes


@dsl.pipeline(name="train")
def pipeline() -> None:
    task = train_op()
    kubernetes.mount_pvc(
        task,
        pvc_name="shared-nfs-data",
        mount_path="/data",
    )
