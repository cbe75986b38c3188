# expect: data_remote_storage_configured
from kfp import dsl, onprem

step = dsl.ContainerOp(name="train", image="train:1")
step.apply(onprem.mount_pvc("shared-nfs-data", "data", "/mnt/data"))
