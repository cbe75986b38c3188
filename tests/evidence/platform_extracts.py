"""Short, hand-written extracts shaped like real public MLOps repositories of each platform.

Each tree paraphrases the layout and API use of a public reference repository (named above
it), cut to the lines that carry evidence. Nothing here is copied from those repositories.
"""

from __future__ import annotations

Files = dict[str, str | bytes]

# --- Azure ML SDK v1, after microsoft/MLOpsPython (Azure DevOps + azureml pipelines) -------
AZUREML_V1: Files = {
    "ml_service/pipelines/build_train_pipeline.py": """\
from azureml.core import Dataset, Workspace
from azureml.pipeline.core import Pipeline, PipelineData
from azureml.pipeline.steps import PythonScriptStep

ws = Workspace.from_config()
store = ws.get_default_datastore()
data = Dataset.Tabular.from_delimited_files(path=(store, "training/diabetes.csv"))
data = data.register(workspace=ws, name="diabetes", create_new_version=True)
model_dir = PipelineData("model_dir", datastore=store)
train = PythonScriptStep(name="Train Model", script_name="train_aml.py", outputs=[model_dir])
evaluate = PythonScriptStep(name="Evaluate Model", script_name="evaluate_model.py")
register = PythonScriptStep(name="Register Model", script_name="register_model.py")
pipeline = Pipeline(workspace=ws, steps=[train, evaluate, register])
pipeline.publish(name="diabetes-train")
""",
    "diabetes/training/train_aml.py": """\
from azureml.core.run import Run
from sklearn.linear_model import Ridge

run = Run.get_context()
model = Ridge(alpha=0.5).fit(X, y)
run.log("mse", mse)
run.parent.log("mse", mse)
""",
    "diabetes/evaluate/evaluate_model.py": """\
from azureml.core import Run

run = Run.get_context()
new_mse = float(run.parent.get_metrics().get("mse"))
production_mse = float(production.tags["mse"])
if new_mse >= production_mse:
    print("the new model is not better; stopping the pipeline")
    run.parent.cancel()
""",
    "diabetes/register/register_model.py": """\
from azureml.core.model import Model as AMLModel

AMLModel.register(workspace=ws, model_name="diabetes", model_path="outputs/model.pkl")
""",
    "ml_service/util/deploy.py": """\
from azureml.core.model import Model
from azureml.core.webservice import AksWebservice

config = AksWebservice.deploy_configuration(cpu_cores=1, memory_gb=1)
service = Model.deploy(ws, "diabetes-svc", [model], inference_config, config)
""",
}

# --- Azure ML CLI v2 and SDK v2, after Azure/mlops-project-template (classical) --------------
AZUREML_V2: Files = {
    "mlops/azureml/train/data.yml": """\
$schema: https://azuremlschemas.azureedge.net/latest/data.schema.json
type: uri_file
name: taxi-data
path: ../../../data/taxi-data.csv
""",
    "mlops/azureml/train/pipeline.yml": """\
$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
experiment_name: taxi-fare-training
inputs:
  input: {type: uri_file, path: azureml:taxi-data@latest}
jobs:
  prep_data:
    command: python prep.py --raw_data ${{inputs.raw_data}}
  train_model:
    command: python train.py --train_data ${{inputs.train_data}}
  evaluate_model:
    command: python evaluate.py --model_input ${{inputs.model_input}}
  register_model:
    command: python register.py --model_path ${{inputs.model_path}}
""",
    "mlops/azureml/train/schedule.yml": """\
$schema: https://azuremlschemas.azureedge.net/latest/schedule.schema.json
name: nightly-retrain
trigger:
  type: cron
  expression: "0 2 * * *"
create_job: ./pipeline.yml
""",
    "mlops/azureml/deploy/online/online-endpoint.yml": """\
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json
name: taxi-fare-online
auth_mode: key
traffic:
  blue: 90
  green: 10
""",
    "mlops/azureml/deploy/online/online-deployment.yml": """\
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: green
endpoint_name: taxi-fare-online
model: azureml:taxi-model@latest
instance_type: Standard_DS3_v2
""",
    "mlops/azureml/monitor/monitor.yml": """\
$schema: https://azuremlschemas.azureedge.net/latest/schedule.schema.json
name: taxi-monitor
trigger: {type: recurrence, frequency: day, interval: 1}
create_monitor:
  monitoring_signals:
    drift:
      type: data_drift
  alert_notification:
    emails: [ml-team@example.com]
""",
    "mlops/azureml/train/run_pipeline.py": """\
from azure.ai.ml import MLClient, command
from azure.ai.ml.dsl import pipeline
from azure.ai.ml.entities import Model

ml_client = MLClient.from_config()
train_model = command(name="train_model", command="python train.py", environment="env@latest")

@pipeline()
def taxi_training(raw):
    train_model(raw=raw)

ml_client.jobs.create_or_update(taxi_training(raw=data))
ml_client.models.create_or_update(Model(path="outputs/model", name="taxi-model"))
""",
}

# --- Vertex AI + TFX, after GoogleCloudPlatform/mlops-with-vertex-ai --------------------------
VERTEX_TFX: Files = {
    "src/tfx_pipelines/training_pipeline.py": """\
import tensorflow_model_analysis as tfma
from tfx.orchestration import pipeline
from tfx.v1.components import Evaluator, ExampleValidator, Pusher, StatisticsGen, Trainer
from tfx.v1.extensions.google_cloud_big_query import BigQueryExampleGen

def create_pipeline(root):
    examples = BigQueryExampleGen(query="SELECT * FROM chicago.taxi")
    stats = StatisticsGen(examples=examples.outputs["examples"])
    validator = ExampleValidator(statistics=stats.outputs["statistics"], schema=schema)
    trainer = Trainer(module_file="src/model_training/runner.py", examples=examples)
    eval_config = tfma.EvalConfig(metrics_specs=[tfma.MetricsSpec(metrics=[
        tfma.MetricConfig(class_name="BinaryAccuracy", threshold=tfma.MetricThreshold(
            value_threshold=tfma.GenericValueThreshold(lower_bound={"value": 0.8})))])])
    evaluator = Evaluator(model=trainer.outputs["model"], eval_config=eval_config)
    pusher = Pusher(model=trainer.outputs["model"], model_blessing=evaluator.outputs["blessing"])
    return pipeline.Pipeline(pipeline_name="chicago-taxi", pipeline_root=root,
                             components=[examples, stats, validator, trainer, evaluator, pusher])
""",
    "src/tfx_pipelines/components.py": """\
from google.cloud import aiplatform as vertex_ai

def upload(project, region, uri):
    vertex_ai.init(project=project, location=region)
    return vertex_ai.Model.upload(display_name="chicago-taxi", artifact_uri=uri,
                                  serving_container_image_uri=IMAGE)
""",
    "build/utils.py": """\
from google.cloud import aiplatform as vertex_ai

def deploy_model(endpoint_name, model_name, spec):
    endpoint = vertex_ai.Endpoint.create(display_name=endpoint_name)
    model = vertex_ai.Model(model_name)
    return endpoint.deploy(model=model, traffic_split={"0": 80, "1": 20}, **spec)
""",
    "build/run_pipeline.py": """\
from google.cloud import aiplatform

job = aiplatform.PipelineJob(display_name="chicago-taxi-training",
                             template_path="training_pipeline.json")
job.create_schedule(cron="0 3 * * 1", display_name="weekly-retraining")
""",
    "src/monitoring/create_job.py": """\
from google.cloud import aiplatform
from google.cloud.aiplatform import model_monitoring

alerts = model_monitoring.EmailAlertConfig(user_emails=["ml@example.com"])
drift = model_monitoring.DriftDetectionConfig(drift_thresholds={"trip_miles": 0.3})
job = aiplatform.ModelDeploymentMonitoringJob.create(display_name="taxi-monitor",
                                                     alert_config=alerts, endpoint=endpoint)
""",
    "src/experiments/log_run.py": """\
from google.cloud import aiplatform

aiplatform.init(experiment="chicago-taxi")
aiplatform.start_run("run-1")
aiplatform.log_metrics({"accuracy": 0.91})
""",
}

# --- SageMaker, after the SageMaker project template (pipelines/abalone/pipeline.py) ----------
SAGEMAKER: Files = {
    "pipelines/abalone/pipeline.py": """\
from sagemaker.estimator import Estimator
from sagemaker.workflow.condition_step import ConditionStep
from sagemaker.workflow.conditions import ConditionLessThanOrEqualTo
from sagemaker.workflow.functions import JsonGet
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.step_collections import RegisterModel
from sagemaker.workflow.steps import ProcessingStep, TrainingStep

def get_pipeline(role, group="AbalonePackageGroup"):
    estimator = Estimator(image_uri=image, role=role, instance_type="ml.m5.large")
    step_train = TrainingStep(name="TrainAbaloneModel", estimator=estimator)
    step_eval = ProcessingStep(name="EvaluateAbaloneModel", processor=evaluator)
    step_register = RegisterModel(name="RegisterAbaloneModel", estimator=estimator,
                                  model_package_group_name=group)
    mse_ok = ConditionLessThanOrEqualTo(
        left=JsonGet(step_name=step_eval.name, property_file=report,
                     json_path="regression_metrics.mse.value"),
        right=6.0)
    step_cond = ConditionStep(name="CheckMSE", conditions=[mse_ok], if_steps=[step_register],
                              else_steps=[])
    return Pipeline(name="AbalonePipeline", steps=[step_train, step_eval, step_cond])
""",
    "deploy/endpoint.py": """\
from sagemaker import ModelPackage
from sagemaker.model_monitor import DataCaptureConfig

capture = DataCaptureConfig(enable_capture=True, destination_s3_uri=capture_uri)
model = ModelPackage(role=role, model_package_arn=arn)
model.deploy(initial_instance_count=1, instance_type="ml.m5.large",
             endpoint_name="abalone-prod", data_capture_config=capture)
""",
    "monitoring/schedule.py": """\
from sagemaker.model_monitor import CronExpressionGenerator, DefaultModelMonitor

monitor = DefaultModelMonitor(role=role, instance_count=1, instance_type="ml.m5.xlarge")
monitor.suggest_baseline(baseline_dataset=train_uri, dataset_format=fmt)
monitor.create_monitoring_schedule(endpoint_input="abalone-prod",
                                   schedule_cron_expression=CronExpressionGenerator.daily())
""",
}

# --- Databricks asset bundle, after databricks/mlops-stacks (its generated project) ----------
DATABRICKS: Files = {
    "taxi/databricks.yml": """\
bundle:
  name: taxi
include:
  - ./resources/*.yml
targets:
  dev: {default: true}
""",
    "taxi/resources/model-workflow-resource.yml": """\
resources:
  jobs:
    model_training_job:
      name: taxi-model-training-job
      tasks:
        - task_key: Train
          notebook_task: {notebook_path: ../training/notebooks/Train.py}
        - task_key: ModelValidation
          depends_on: [{task_key: Train}]
          notebook_task: {notebook_path: ../validation/notebooks/ModelValidation.py}
        - task_key: ModelDeployment
          depends_on: [{task_key: ModelValidation}]
          notebook_task: {notebook_path: ../deployment/model_deployment/notebooks/ModelDeployment.py}
      schedule:
        quartz_cron_expression: "0 0 9 * * ?"
        timezone_id: UTC
""",
    "taxi/resources/ml-artifacts-resource.yml": """\
resources:
  registered_models:
    model:
      name: taxi_model
      catalog_name: prod
      schema_name: taxi
  experiments:
    experiment:
      name: /Shared/taxi-experiment
""",
    "taxi/resources/monitoring-resource.yml": """\
resources:
  quality_monitors:
    taxi_quality_monitor:
      table_name: prod.taxi.inference_table
      inference_log: {problem_type: PROBLEM_TYPE_REGRESSION, prediction_col: prediction}
      schedule: {quartz_cron_expression: "0 0 8 * * ?", timezone_id: UTC}
  jobs:
    retraining_job:
      name: taxi-monitoring-retraining-job
      tasks:
        - task_key: monitored_metric_violation_check
          notebook_task: {notebook_path: ../monitoring/notebooks/MonitoredMetricViolationCheck.py}
        - task_key: trigger_retraining
          depends_on: [{task_key: monitored_metric_violation_check}]
          run_job_task: {job_id: "${resources.jobs.model_training_job.id}"}
""",
    "taxi/resources/serving-resource.yml": """\
resources:
  model_serving_endpoints:
    taxi_endpoint:
      name: taxi-endpoint
      config:
        served_entities:
          - {name: current, entity_name: prod.taxi.taxi_model, entity_version: "3"}
          - {name: candidate, entity_name: prod.taxi.taxi_model, entity_version: "4"}
        traffic_config:
          routes:
            - {served_model_name: current, traffic_percentage: 90}
            - {served_model_name: candidate, traffic_percentage: 10}
""",
    "taxi/training/notebooks/Train.py": """\
import mlflow

mlflow.set_registry_uri("databricks-uc")
with mlflow.start_run():
    mlflow.log_metric("rmse", rmse)
""",
}
