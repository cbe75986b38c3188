# ok: data_remote_storage_configured
# a volume each run creates for its steps to hand files over: no data kept there
from kfp import dsl

vop = dsl.VolumeOp(name="scratch", resource_name="scratch", size="1Gi")
step = dsl.ContainerOp(name="train", image="train:1", pvolumes={"/work": vop.volume})
