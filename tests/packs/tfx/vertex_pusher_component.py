# expect: model_registry_used
from tfx.extensions.google_cloud_ai_platform.pusher.component import Pusher as VertexPusher

pusher = VertexPusher(model=trainer.outputs["model"], custom_config=vertex_args)
