# ok: data_remote_storage_configured
# a claim each run creates and deletes: scratch space between steps, no data kept there
from kfp import dsl, kubernetes


@dsl.pipeline(name="train")
def pipeline() -> None:
    pvc = kubernetes.CreatePVC(pvc_name_suffix="-scratch", access_modes=["ReadWriteOnce"], size="5Gi")
    task = train_op()
    kubernetes.mount_pvc(task, pvc_name=pvc.outputs["name"], mount_path="/work")
    # kubernetes.mount_pvc(task, pvc_name="nfs-data", mount_path="/data")
    kubernetes.DeletePVC(pvc_name=pvc.outputs["name"]).after(task)
