# expect: model_registry_used
# expect: model_serving_present
from tfx import v1 as tfx

pusher = tfx.extensions.google_cloud_ai_platform.Pusher(
    model=trainer.outputs["model"],
    model_blessing=evaluator.outputs["blessing"],
    custom_config={
        tfx.extensions.google_cloud_ai_platform.ENABLE_VERTEX_KEY: True,
        tfx.extensions.google_cloud_ai_platform.VERTEX_REGION_KEY: "us-central1",
        tfx.extensions.google_cloud_ai_platform.SERVING_ARGS_KEY: {"endpoint_name": "churn"},
    },
)
