"""Vocabulary: how the cloud ML platforms' SDKs show up in Python code.

Azure ML (SDK v1 ``azureml``, SDK v2 ``azure.ai.ml``), Vertex AI (``google.cloud.aiplatform``,
Google Cloud Pipeline Components), TFX, SageMaker (``sagemaker``, its ``boto3`` client, CDK)
and Databricks (``databricks.sdk``, Lakehouse Monitoring, MLflow with Unity Catalog), one
tuple of :class:`Signature` per practice. Every call is recognised through the import it comes
from; a method name shared with other libraries (``.deploy``, ``.register``, ``.log``) counts
only with the keywords the platform's API takes, or next to the call that creates the object.
The detectors of each practice add these to their own tool lists.
"""

from __future__ import annotations

from mlkaizen.evidence.detectors.usage import Signature

_AML_RUN = (
    "azureml.core.Run.get_context",
    "azureml.core.run.Run.get_context",
    "azureml.core.Run",
    "azureml.core.run.Run",
)

TRACKING = (
    Signature(
        "Azure ML run logging (SDK v1)",
        ("azureml.core",),
        (".log", ".log_list", ".log_row", ".log_table", ".log_image"),
        requires=_AML_RUN,
    ),
    Signature(
        "Azure ML run logging (SDK v1)",
        ("azureml.core",),
        ("azureml.core.Experiment().start_logging",),
    ),
    Signature(
        "Vertex AI Experiments",
        ("google.cloud.aiplatform",),
        (
            "google.cloud.aiplatform.start_run",
            "google.cloud.aiplatform.log_metrics",
            "google.cloud.aiplatform.log_params",
            "google.cloud.aiplatform.log_time_series_metrics",
            "google.cloud.aiplatform.log_classification_metrics",
        ),
    ),
    Signature(
        # metrics artifacts of a KFP component, kept by Vertex ML Metadata / the KFP UI
        "Kubeflow Pipelines metrics",
        (
            "kfp.dsl.Metrics",
            "kfp.v2.dsl.Metrics",
            "kfp.dsl.ClassificationMetrics",
            "kfp.v2.dsl.ClassificationMetrics",
        ),
        (".log_metric", ".log_roc_curve", ".log_confusion_matrix", ".log_roc_data_from_arrays"),
    ),
)
"""Trackers hosted by the platform: using one is also using a shared tracking server."""
HOSTED_TRACKING = (
    *TRACKING,
    Signature(
        "SageMaker Experiments",
        ("sagemaker",),
        ("sagemaker.experiments.run.Run", "sagemaker.experiments.Run"),
    ),
)

REGISTRY = (
    Signature(
        "SageMaker Model Registry",
        ("sagemaker",),
        (
            "sagemaker.workflow.step_collections.RegisterModel",
            "sagemaker.model.Model().register",
            "sagemaker.Model().register",
        ),
    ),
    Signature(
        "SageMaker Model Registry",
        ("sagemaker",),
        (".register",),
        keywords=("model_package_group_name",),
    ),
    Signature(
        "SageMaker Model Registry",
        ("boto3", "sagemaker"),
        (".create_model_package_group", ".create_model_package"),
        keywords=("ModelPackageGroupName",),
    ),
    Signature(
        "SageMaker Model Registry", ("aws_cdk",), ("aws_cdk.aws_sagemaker.CfnModelPackageGroup",)
    ),
    Signature(
        "Vertex AI Model Registry",
        ("google.cloud.aiplatform",),
        ("google.cloud.aiplatform.Model.upload*",),
    ),
    Signature(
        # a Vertex training job given a model name uploads the model it trains
        "Vertex AI Model Registry",
        ("google.cloud.aiplatform",),
        (".run",),
        keywords=("model_display_name", "parent_model"),
        requires=(
            "google.cloud.aiplatform.CustomTrainingJob",
            "google.cloud.aiplatform.CustomContainerTrainingJob",
            "google.cloud.aiplatform.CustomPythonPackageTrainingJob",
            "google.cloud.aiplatform.AutoML*",
        ),
    ),
    Signature(
        "Vertex AI Model Registry",
        ("google.cloud.aiplatform",),
        ("google.cloud.aiplatform.models.ModelRegistry", "google.cloud.aiplatform.ModelRegistry"),
    ),
    Signature(
        "Vertex AI Model Registry",
        ("google_cloud_pipeline_components",),
        ("google_cloud_pipeline_components.",),
        keywords=("unmanaged_container_model", "artifact_uri", "serving_container_image_uri"),
    ),
    Signature(
        "Azure ML model registry (SDK v1)",
        ("azureml.core",),
        ("azureml.core.Model.register", "azureml.core.model.Model.register"),
    ),
    Signature(
        "Azure ML model registry (SDK v1)",
        ("azureml.core",),
        (".register_model",),
        keywords=("model_path", "model_name"),
        requires=_AML_RUN,
    ),
    Signature("Azure ML model registry (SDK v2)", ("azure.ai.ml",), (".models.create_or_update",)),
)

SERVING = (
    Signature(
        "SageMaker endpoint",
        ("sagemaker",),
        (
            "sagemaker.predictor.Predictor",
            "sagemaker.model.Model().deploy",
            "sagemaker.Model().deploy",
        ),
    ),
    Signature(
        "SageMaker endpoint",
        ("sagemaker",),
        (".deploy",),
        keywords=(
            "initial_instance_count",
            "instance_type",
            "endpoint_name",
            "serverless_inference_config",
        ),
    ),
    Signature(
        "SageMaker endpoint", ("boto3",), (".create_endpoint",), keywords=("EndpointConfigName",)
    ),
    Signature("SageMaker endpoint", ("aws_cdk",), ("aws_cdk.aws_sagemaker.CfnEndpoint",)),
    Signature(
        "Vertex AI endpoint",
        ("google.cloud.aiplatform",),
        (
            "google.cloud.aiplatform.Endpoint.create",
            "google.cloud.aiplatform.Model().deploy",
            "google.cloud.aiplatform.Endpoint().deploy",
        ),
    ),
    Signature(
        "Vertex AI endpoint",
        ("google.cloud.aiplatform",),
        (".deploy",),
        keywords=(
            "model",
            "endpoint",
            "machine_type",
            "traffic_split",
            "traffic_percentage",
            "deployed_model_display_name",
        ),
    ),
    Signature(
        "Vertex AI endpoint",
        ("google_cloud_pipeline_components",),
        (".ModelDeployOp", ".EndpointCreateOp"),
    ),
    Signature(
        "Azure ML endpoint (SDK v2)",
        ("azure.ai.ml",),
        (
            "azure.ai.ml.entities.ManagedOnlineEndpoint",
            "azure.ai.ml.entities.ManagedOnlineDeployment",
            "azure.ai.ml.entities.KubernetesOnlineEndpoint",
            "azure.ai.ml.entities.KubernetesOnlineDeployment",
            "azure.ai.ml.entities.BatchEndpoint",
            ".online_endpoints.begin_create_or_update",
            ".online_deployments.begin_create_or_update",
        ),
    ),
    Signature(
        "Azure ML web service (SDK v1)",
        ("azureml.core",),
        (
            "azureml.core.Model.deploy",
            "azureml.core.model.Model.deploy",
            "azureml.core.webservice.AksWebservice.deploy_configuration",
            "azureml.core.webservice.AciWebservice.deploy_configuration",
        ),
    ),
    Signature(
        "Databricks Model Serving",
        ("databricks.sdk",),
        (".serving_endpoints.create", ".serving_endpoints.create_and_wait"),
    ),
    Signature(
        "Databricks Model Serving",
        ("mlflow.deployments",),
        (".create_endpoint",),
        requires=("mlflow.deployments.get_deploy_client",),
    ),
)

DATA_ASSETS = (
    Signature(
        "Azure ML dataset versions (SDK v1)",
        ("azureml.core", "azureml.data"),
        (".register",),
        keywords=("create_new_version=True",),
    ),
    Signature("Azure ML data assets (SDK v2)", ("azure.ai.ml",), (".data.create_or_update",)),
)

# (tool, import roots, calls defining a pipeline, step patterns): see pipeline_steps
PIPELINES: tuple[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "SageMaker Pipelines",
        ("sagemaker",),
        ("sagemaker.workflow.pipeline.Pipeline",),
        (
            "sagemaker.workflow.steps.",
            "sagemaker.workflow.model_step.",
            "sagemaker.workflow.step_collections.",
            "sagemaker.workflow.condition_step.",
            "sagemaker.workflow.quality_check_step.QualityCheckStep",
            "sagemaker.workflow.clarify_check_step.ClarifyCheckStep",
            "sagemaker.workflow.lambda_step.LambdaStep",
        ),
    ),
    (
        "Vertex AI Pipelines",
        ("google",),
        ("google.cloud.aiplatform.PipelineJob",),
        ("google.cloud.aiplatform.",),
    ),
    (
        "TFX",
        ("tfx",),
        ("tfx.orchestration.pipeline.Pipeline", "tfx.v1.dsl.Pipeline"),
        ("tfx.components.", "tfx.v1.components.", "tfx.v1.extensions.", "tfx.extensions."),
    ),
    (
        "Azure ML pipelines",
        ("azure", "azureml"),
        ("azure.ai.ml.dsl.pipeline", "azureml.pipeline.core.Pipeline"),
        ("azure.ai.ml.command", "azure.ai.ml.load_component", "azureml.pipeline.steps."),
    ),
)
