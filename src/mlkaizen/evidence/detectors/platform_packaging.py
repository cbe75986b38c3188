"""Vocabulary: a model handed to a cloud ML platform together with what serves it (the
serving image or entry script), as :class:`Signature` tuples."""

from __future__ import annotations

from mlkaizen.evidence.detectors.usage import Signature

PACKAGED = (
    Signature(
        # a model uploaded with the image that serves it: deployable as it stands
        "Vertex AI model with its serving container",
        ("google.cloud.aiplatform", "google_cloud_pipeline_components"),
        ("google.cloud.aiplatform.", "google_cloud_pipeline_components.", ".upload*"),
        keywords=(
            "model_serving_container_image_uri",
            "serving_container_image_uri",
            "unmanaged_container_model",
        ),
    ),
    Signature(
        "SageMaker model with its inference image",
        ("sagemaker",),
        (
            "sagemaker.model.Model",
            "sagemaker.Model",
            "sagemaker.xgboost.model.XGBoostModel",
            "sagemaker.sklearn.model.SKLearnModel",
            "sagemaker.pytorch.model.PyTorchModel",
            "sagemaker.tensorflow.model.TensorFlowModel",
            "sagemaker.huggingface.model.HuggingFaceModel",
        ),
        keywords=("image_uri", "entry_point"),
    ),
    Signature(
        "SageMaker model package",
        ("sagemaker",),
        ("sagemaker.workflow.step_collections.RegisterModel", ".register"),
        keywords=("content_types", "inference_instances"),
    ),
    Signature(
        "Azure ML (SDK v1) inference config",
        ("azureml.core",),
        ("azureml.core.model.InferenceConfig", "azureml.core.InferenceConfig", ".package"),
        keywords=("entry_script", "inference_config"),
    ),
)
"""A model packaged with what serves it, by the platform's own means."""
