# ok: model_registry_used
# ok: model_serving_present
# the standard Pusher copies the blessed model to a folder: no registry, no endpoint
from tfx import v1 as tfx

pusher = tfx.components.Pusher(
    model=trainer.outputs["model"],
    model_blessing=evaluator.outputs["blessing"],
    push_destination=tfx.proto.PushDestination(
        filesystem=tfx.proto.PushDestination.Filesystem(base_directory="serving_model")
    ),
)
