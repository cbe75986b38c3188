"""Evidence that real MLOps repositories keep away from the obvious place: schedules declared
in their own file or in infrastructure code, steps defined in another module, templates whose
conditionals repeat keys, platform configs without a ``$schema``.

Each heuristic has its near miss next to it; every test asserts the exact findings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlkaizen.evidence.detectors import REGISTRY
from mlkaizen.evidence.tree import RepoTree
from tests.conftest import MakeRepo

Pairs = set[tuple[str, str]]


def found(root: Path, *detectors: str) -> Pairs:
    tree = RepoTree(root)
    return {(f.detector, f.file or "") for d in detectors for f in REGISTRY[d].detect(tree)}


def details(root: Path, detector: str) -> list[str]:
    return [f.detail for f in REGISTRY[detector].detect(RepoTree(root))]


RETRAINING = ("training_scheduled", "training_triggered_by_event")

# ------------------------------------------------------------------ pipelines that train
METAFLOW_SCHEDULED = """\
from metaflow import FlowSpec, step, schedule

@schedule(cron='58 * * * * *')
class BranchFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.rf_model)

    @step
    def rf_model(self):
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.model_selection import cross_val_score
        self.scores = cross_val_score(RandomForestClassifier(), self.X, self.y, cv=5)
        self.next(self.end)

    @step
    def end(self):
        pass
"""
METAFLOW_SCORING = """\
from metaflow import FlowSpec, step, trigger
import joblib

@trigger(events=['s3'])
class ScoreFlow(FlowSpec):
    @step
    def start(self):
        self.model = joblib.load('model.pkl')
        self.preds = self.model.predict(self.X)
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def test_a_flow_whose_steps_fit_models_trains_whatever_its_step_names(
    make_repo: MakeRepo,
) -> None:
    root = make_repo({"flows/branch.py": METAFLOW_SCHEDULED, "flows/score.py": METAFLOW_SCORING})
    assert found(root, *RETRAINING, "training_in_pipeline") == {
        ("training_scheduled", "flows/branch.py"),
        ("training_in_pipeline", "flows/branch.py"),
    }
    assert details(root, "training_in_pipeline") == [
        "Metaflow pipeline: training step 'sklearn.model_selection.cross_val_score()'"
    ]


KFP_PIPELINE = """\
from kfp.v2 import dsl
from components import custom_train_job, lookup_model
from google_cloud_pipeline_components.v1.bigquery import BigqueryQueryJobOp

@dsl.pipeline(name="xgboost-train-pipeline")
def pipeline(project_id: str):
    query = BigqueryQueryJobOp(query="select 1")
    champion = lookup_model(model_name="xgb")
    train = custom_train_job(train_script_uri="gs://b/train.py")
"""
KFP_PREDICTION = """\
from kfp.v2 import dsl
from components import lookup_model, model_batch_predict

@dsl.pipeline(name="xgboost-prediction-pipeline")
def pipeline(project_id: str):
    champion = lookup_model(model_name="xgb")
    model_batch_predict(model=champion.outputs["model"])
"""
COMPONENTS = {
    "components/__init__.py": "",
    "components/custom_train_job.py": "from kfp.v2.dsl import component\n",
    "components/lookup_model.py": "from kfp.v2.dsl import component\n",
    "components/model_batch_predict.py": "from kfp.v2.dsl import component\n",
}


def test_components_imported_from_the_repository_are_the_pipeline_steps(
    make_repo: MakeRepo,
) -> None:
    root = make_repo({
        **COMPONENTS,
        "pipelines/training.py": KFP_PIPELINE,
        "pipelines/prediction.py": KFP_PREDICTION,
    })
    assert found(root, "training_in_pipeline") == {
        ("training_in_pipeline", "pipelines/training.py")
    }
    tree = RepoTree(root)
    from mlkaizen.evidence.detectors.pipeline_steps import orchestrated_pipelines

    steps = {p.file: [s.split()[0] for s, _ in p.steps] for p in orchestrated_pipelines(tree)}
    # the third-party operator is not a repository module: not read as a step name here
    assert steps == {
        "pipelines/prediction.py": [
            "components.lookup_model", "components.model_batch_predict"],
        "pipelines/training.py": ["components.lookup_model", "components.custom_train_job"],
    }


@pytest.mark.parametrize(("step", "trains"), [
    ("custom_train_job", True),
    ("TrainModelOp", True),
    ("run_retraining", True),
    ("finetune_llm", True),
    ("train_test_split", False),
    ("TrainDataGen", False),
    ("train_table", False),
    ("constrain_output", False),
    ("pretrained_lookup", False),
])
def test_step_identifiers_that_train(step: str, trains: bool) -> None:
    from mlkaizen.evidence.detectors.pipeline_training import _identifier_trains

    assert _identifier_trains(f"components.{step} gs://b/x") is trains


# ------------------------------------------------------------------ schedules elsewhere
PREFECT_FLOW = """\
import mlflow
from prefect import flow, task

@task
def train_model_search(train, valid):
    with mlflow.start_run():
        mlflow.log_metric("rmse", 1.0)

@flow
def main():
    train_model_search(1, 2)
"""
PREFECT_DEPLOY = """\
from prefect.deployments import DeploymentSpec
from prefect.orion.schemas.schedules import IntervalSchedule
from datetime import timedelta

DeploymentSpec(
    flow_location="./model_training_with_prefect.py",
    name="model_training",
    schedule=IntervalSchedule(interval=timedelta(minutes=5)),
)
"""


def test_a_prefect_deployment_in_its_own_file_schedules_the_flow_it_names(
    make_repo: MakeRepo,
) -> None:
    root = make_repo({
        "orchestration/model_training_with_prefect.py": PREFECT_FLOW,
        "orchestration/deploy_prefect.py": PREFECT_DEPLOY,
    })
    assert found(root, *RETRAINING) == {
        ("training_scheduled", "orchestration/model_training_with_prefect.py")
    }
    assert details(root, "training_scheduled") == [
        "Prefect training pipeline scheduled: Prefect deployment in "
        "orchestration/deploy_prefect.py (line 5)"
    ]


def test_a_prefect_deployment_of_an_imported_flow(make_repo: MakeRepo) -> None:
    deploy = (
        "from prefect.deployments import Deployment\n"
        "from prefect.server.schemas.schedules import CronSchedule\n"
        "from flows.training import main\n"
        "Deployment.build_from_flow(flow=main, name='nightly',\n"
        "                           schedule=CronSchedule(cron='0 3 * * *'))\n"
    )
    root = make_repo({"flows/__init__.py": "", "flows/training.py": PREFECT_FLOW,
                      "deploy.py": deploy})
    assert found(root, *RETRAINING) == {("training_scheduled", "flows/training.py")}


@pytest.mark.parametrize("deploy", [
    # no schedule: deployed to be run by hand
    PREFECT_DEPLOY.replace("    schedule=IntervalSchedule(interval=timedelta(minutes=5)),\n", ""),
    # a schedule, for a file that is not there
    PREFECT_DEPLOY.replace("model_training_with_prefect", "elsewhere"),
])
def test_prefect_deployments_that_schedule_no_training(make_repo: MakeRepo, deploy: str) -> None:
    root = make_repo({
        "orchestration/model_training_with_prefect.py": PREFECT_FLOW,
        "orchestration/deploy_prefect.py": deploy,
    })
    assert found(root, *RETRAINING) == set()


def test_a_scheduled_prefect_deployment_of_a_flow_that_does_not_train(
    make_repo: MakeRepo,
) -> None:
    report = (
        "from prefect import flow\n@flow\ndef main():\n    print('weekly report')\n"
    )
    root = make_repo({
        "orchestration/model_training_with_prefect.py": report,
        "orchestration/deploy_prefect.py": PREFECT_DEPLOY,
    })
    assert found(root, *RETRAINING) == set()


SCHEDULER_TF = """\
resource "google_cloud_scheduler_job" "scheduled_pipeline" {
  name     = var.name
  schedule = var.schedule
  pubsub_target {
    topic_name = var.topic_name
    attributes = {
      template_path = var.template_path
    }
  }
}
"""


def test_a_cloud_scheduler_job_that_starts_pipelines_in_a_repository_that_trains(
    make_repo: MakeRepo,
) -> None:
    root = make_repo({**COMPONENTS, "pipelines/training.py": KFP_PIPELINE,
                      "terraform/modules/scheduled_pipelines/main.tf": "\n" + SCHEDULER_TF})
    assert found(root, *RETRAINING) == {
        ("training_scheduled", "terraform/modules/scheduled_pipelines/main.tf")
    }
    finding = REGISTRY["training_scheduled"].detect(RepoTree(root))[0]
    assert finding.line == 2
    assert finding.detail == (
        "google_cloud_scheduler_job 'scheduled_pipeline' starts pipelines on a schedule; "
        "training pipeline: pipelines/training.py"
    )


@pytest.mark.parametrize(("files", "expected"), [
    # the repository's pipelines only score: a scheduler starting them is not retraining
    ({**COMPONENTS, "pipelines/prediction.py": KFP_PREDICTION, "main.tf": SCHEDULER_TF}, set()),
    # a scheduler for batch prediction, beside a training pipeline
    ({**COMPONENTS, "pipelines/training.py": KFP_PIPELINE,
      "main.tf": SCHEDULER_TF.replace("scheduled_pipeline", "batch_prediction_pipeline")}, set()),
    # a scheduler with no schedule attribute (a paused placeholder)
    ({**COMPONENTS, "pipelines/training.py": KFP_PIPELINE,
      "main.tf": SCHEDULER_TF.replace("  schedule = var.schedule\n", "")}, set()),
    # a scheduler that names training starts it, whatever the repository's pipelines
    ({"main.tf": SCHEDULER_TF.replace("scheduled_pipeline", "nightly_retraining")},
     {("training_scheduled", "main.tf")}),
])
def test_cloud_scheduler_near_misses(make_repo: MakeRepo, files: dict[str, str],
                                     expected: Pairs) -> None:
    assert found(make_repo(files), *RETRAINING) == expected


DATABRICKS_JOB_TF = """\
resource "databricks_job" "model_training_job" {
  name = "training"
  task {
    task_key = "train"
    notebook_task { notebook_path = "notebooks/train" }
  }
  schedule {
    quartz_cron_expression = "0 0 9 * * ?"
    timezone_id            = "UTC"
  }
}
"""

EVENT_RULE_TF = """\
resource "aws_cloudwatch_event_rule" "cron_rule" {
  name                = "weekly"
  schedule_expression = "cron(0 14 ? * SAT *)"
}

resource "aws_cloudwatch_event_target" "cron_target" {
  rule = aws_cloudwatch_event_rule.cron_rule.name
  arn  = aws_sfn_state_machine.retrain_model.arn
}
"""


@pytest.mark.parametrize(("files", "expected"), [
    ({"infra/jobs.tf": DATABRICKS_JOB_TF}, {("training_scheduled", "infra/jobs.tf")}),
    # near misses: the schedule is paused; the job scores; no schedule at all
    ({"infra/jobs.tf": DATABRICKS_JOB_TF.replace(
        '    timezone_id            = "UTC"\n',
        '    timezone_id            = "UTC"\n    pause_status           = "PAUSED"\n')}, set()),
    ({"infra/jobs.tf": DATABRICKS_JOB_TF.replace("model_training_job", "batch_scoring")
      .replace('"training"', '"scoring"').replace("notebooks/train", "notebooks/score")
      .replace('"train"', '"score"')}, set()),
    ({"infra/jobs.tf": DATABRICKS_JOB_TF.split("  schedule {")[0] + "}\n"}, set()),
    # an EventBridge rule starts what its target resource names
    ({"infra/events.tf": EVENT_RULE_TF}, {("training_scheduled", "infra/events.tf")}),
    # near miss: the target belongs to another rule
    ({"infra/events.tf": EVENT_RULE_TF.replace(
        "aws_cloudwatch_event_rule.cron_rule.name", "aws_cloudwatch_event_rule.other.name")},
     set()),
    # near miss: the target of a rule whose name only starts with this one's
    ({"infra/events.tf": EVENT_RULE_TF.replace(
        "aws_cloudwatch_event_rule.cron_rule.name",
        "aws_cloudwatch_event_rule.cron_rule_scoring.name")}, set()),
    # a rule in one file of a module, its target in another
    ({"infra/rules.tf": EVENT_RULE_TF.split("resource \"aws_cloudwatch_event_target\"")[0],
      "infra/targets.tf": "resource \"aws_cloudwatch_event_target\""
                          + EVENT_RULE_TF.split("resource \"aws_cloudwatch_event_target\"")[1]},
     {("training_scheduled", "infra/rules.tf")}),
])
def test_terraform_schedules_of_databricks_jobs_and_event_rules_with_their_targets(
    make_repo: MakeRepo, files: dict[str, str], expected: Pairs
) -> None:
    assert found(make_repo(files), *RETRAINING) == expected


def test_cloudformation_and_gcloud_schedules(make_repo: MakeRepo) -> None:
    cfn = (
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Resources:\n"
        "  RetrainRule:\n"
        "    Type: AWS::Events::Rule\n"
        "    Properties:\n"
        "      ScheduleExpression: rate(7 days)\n"
        "      Targets:\n"
        "        - Arn: !Ref TrainingPipelineArn\n"
        "          Id: training\n"
        "  CleanupRule:\n"
        "    Type: AWS::Events::Rule\n"
        "    Properties:\n"
        "      ScheduleExpression: rate(1 day)\n"
        "      Targets: [{Arn: !Ref CleanupFunction, Id: cleanup}]\n"
    )
    script = (
        "gcloud scheduler jobs create pubsub retrain-weekly --schedule='0 4 * * 1' \\\n"
        "  --topic=pipelines --message-body='{\"pipeline\": \"training.json\"}'\n"
        "gcloud scheduler jobs create http warmup --schedule='*/5 * * * *' --uri=$URL\n"
    )
    root = make_repo({"infra/stack.yaml": cfn, "scripts/schedule.sh": script})
    tree = RepoTree(root)
    assert sorted((f.file, f.line, f.detail) for f in
                  REGISTRY["training_scheduled"].detect(tree)) == [
        ("infra/stack.yaml", 4, "AWS::Events::Rule 'RetrainRule' starts training on a schedule"),
        ("scripts/schedule.sh", 1, "gcloud scheduler job starts training on a schedule"),
    ]


CLOUD_FUNCTION = """\
import base64, json
from google.cloud import aiplatform

def cf_handler(event, context):
    payload = json.loads(base64.b64decode(event["data"]))
    job = aiplatform.pipeline_jobs.PipelineJob(template_path=payload["template_path"])
    job.submit()
"""


def test_an_event_handler_that_starts_a_pipeline_run(make_repo: MakeRepo) -> None:
    root = make_repo({**COMPONENTS, "pipelines/training.py": KFP_PIPELINE,
                      "pipelines/trigger/main.py": CLOUD_FUNCTION})
    assert found(root, *RETRAINING) == {
        ("training_triggered_by_event", "pipelines/trigger/main.py")
    }


@pytest.mark.parametrize("files", [
    # a command-line launcher, not an event handler
    {**COMPONENTS, "pipelines/training.py": KFP_PIPELINE,
     "run.py": CLOUD_FUNCTION.replace("def cf_handler(event, context):", "def main(args):")},
    # a handler that starts pipelines in a repository whose pipelines do not train
    {**COMPONENTS, "pipelines/prediction.py": KFP_PREDICTION,
     "pipelines/trigger/main.py": CLOUD_FUNCTION},
])
def test_event_handler_near_misses(make_repo: MakeRepo, files: dict[str, str]) -> None:
    assert found(make_repo(files), *RETRAINING) == set()


# ------------------------------------------------------------------ templates
def test_inline_template_actions_render_nothing_and_repeated_branches_parse(
    make_repo: MakeRepo,
) -> None:
    job = (
        "resources:\n"
        "  jobs:\n"
        "    model_training_job:\n"
        "      name: ${bundle.target}-{{ .input_project_name }}-model-training-job\n"
        "      schedule:\n"
        "        quartz_cron_expression: \"0 0 9 * * ?\"\n"
        "      tasks:\n"
        "        - task_key: Train\n"
        "          {{ if (eq .fs `no`) }}notebook_task:\n"
        "            notebook_path: ../training/notebooks/Train.py\n"
        "          {{- else -}}notebook_task:\n"
        "            notebook_path: ../training/notebooks/TrainWithFeatureStore.py{{ end }}\n"
        "        - task_key: check\n"
        "          condition_task:\n"
        "            left: \"{{`{{tasks.check.values.violated}}`}}\"\n"
        "            right: \"{{\"{{job.id}}\"}}\"\n"
    )
    root = make_repo({
        "template/{{.root}}/databricks.yml.tmpl":
            "bundle:\n  name: {{.name}}\ninclude:\n  - resources/*.yml\n",
        "template/{{.root}}/resources/model-workflow-resource.yml.tmpl": job,
    })
    tree = RepoTree(root)
    docs = tree.yaml("template/{{.root}}/resources/model-workflow-resource.yml")
    assert docs is not None
    tasks = docs[0]["resources"]["jobs"]["model_training_job"]["tasks"]
    assert tasks[0]["notebook_task"] == {"notebook_path": "../training/notebooks/Train.py"}
    assert tasks[1]["condition_task"] == {"left": "tmpl", "right": "tmpl"}
    assert found(root, *RETRAINING) == {
        ("training_scheduled", "template/{{.root}}/resources/model-workflow-resource.yml.tmpl")
    }


def test_a_plain_yaml_file_still_refuses_a_repeated_key(make_repo: MakeRepo) -> None:
    root = make_repo({"config.yml": "a: 1\na: 2\n", "t/config.yml.tmpl": "a: 1\na: 2\n"})
    tree = RepoTree(root)
    assert tree.yaml("config.yml") is None
    assert [w.detail for w in tree.warnings] == ["yaml: invalid YAML: duplicate key 'a'; "
                                                 "file skipped by yaml detectors"]
    assert tree.yaml("t/config.yml") == [{"a": 1}]


def test_workflows_of_a_project_template_are_ci(make_repo: MakeRepo) -> None:
    wf = ("on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
          "    steps:\n      - run: pytest tests\n")
    root = make_repo({
        "{{cookiecutter.slug}}/.github/workflows/ci.yml": wf,
        "docs/examples/.github/workflows/ci.yml": wf,  # not a template: GitHub never runs it
    })
    assert found(root, "ci_configured") == {
        ("ci_configured", "{{cookiecutter.slug}}/.github/workflows/ci.yml")
    }


# ------------------------------------------------------------------ Databricks bundles
MONITOR = (
    "resources:\n"
    "  quality_monitors:\n"
    "    taxi_monitor:\n"
    "      table_name: prod.taxi.inference\n"
    "      inference_log: {problem_type: PROBLEM_TYPE_REGRESSION}\n"
)


def test_bundle_resource_files_not_yet_included_are_read_and_say_so(
    make_repo: MakeRepo,
) -> None:
    root = make_repo({
        "project/databricks.yml": "bundle: {name: x}\ninclude: [resources/jobs.yml]\n",
        "project/resources/jobs.yml": "resources:\n  jobs:\n    j: {name: j}\n",
        "project/resources/monitoring-resource.yml": MONITOR,
    })
    assert details(root, "drift_detection_used") == [
        "Databricks quality monitor 'taxi_monitor' (defined in the bundle's folder, "
        "not yet in its include list)"
    ]
    # the monitor is infrastructure; the job is a workflow
    assert details(root, "infrastructure_as_code") == [
        "Databricks asset bundle (1 resource declared)"
    ]


def test_a_bundle_of_jobs_alone_declares_workflows_not_infrastructure(
    make_repo: MakeRepo,
) -> None:
    jobs = "resources:\n  jobs:\n    train: {name: train}\n    score: {name: score}\n"
    root = make_repo({"databricks.yml": "bundle: {name: x}\n" + jobs})
    assert details(root, "infrastructure_as_code") == []
    # near miss: the same bundle with a serving endpoint and a warehouse it provisions
    infra = (
        "  model_serving_endpoints:\n    churn: {name: churn}\n"
        "  sql_warehouses:\n    wh: {name: wh, cluster_size: 2X-Small}\n"
        "  database_catalogs:\n    cat: {name: cat}\n"
    )
    root = make_repo({"databricks.yml": "bundle: {name: x}\n" + jobs + infra})
    assert details(root, "infrastructure_as_code") == [
        "Databricks asset bundle (3 resources declared)"
    ]


def test_a_bundle_sql_alert_is_an_alert_rule(make_repo: MakeRepo) -> None:
    alert = (
        "resources:\n  alerts:\n    mae_alert:\n      display_name: mae-above-30\n"
        "      query_text: SELECT avg(mae) AS mae FROM main.ml.monitoring\n"
        "      evaluation: {comparison_operator: GREATER_THAN, source: {name: mae},"
        " threshold: {value: {double_value: 30}}}\n"
    )
    root = make_repo({"databricks.yml": "bundle: {name: x}\n" + alert})
    assert details(root, "alert_rules_defined") == ["Databricks SQL alert 'mae_alert'"]
    # near miss: an alert without a query (a placeholder) is no rule
    placeholder = "resources:\n  alerts:\n    todo: {display_name: later}\n"
    root = make_repo({"databricks.yml": "bundle: {name: x}\n" + placeholder})
    assert details(root, "alert_rules_defined") == []


def test_bundle_deploy_in_ci_deploys_and_a_training_job_run_trains(make_repo: MakeRepo) -> None:
    wf = (
        "on:\n  push:\n    branches: [main]\njobs:\n  staging:\n    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: databricks bundle deploy -t staging\n"
        "      - run: databricks bundle run model_training_job -t test\n"
    )
    near = wf.replace("bundle deploy", "bundle validate").replace(
        "model_training_job", "write_feature_table_job")
    root = make_repo({".github/workflows/cd.yml": wf})
    assert found(root, "deployment_runs_in_ci", "training_runs_in_ci") == {
        ("deployment_runs_in_ci", ".github/workflows/cd.yml"),
        ("training_runs_in_ci", ".github/workflows/cd.yml"),
    }
    assert found(make_repo({".github/workflows/cd.yml": near}),
                 "deployment_runs_in_ci", "training_runs_in_ci") == set()


def test_installing_a_conda_environment_runs_none_of_its_tools(make_repo: MakeRepo) -> None:
    env = "name: ml\nchannels: [conda-forge]\ndependencies:\n  - great_expectations\n"
    wf = (
        "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: mamba-org/provision-with-micromamba@main\n"
        "        with: {environment-file: env.yml}\n"
        "      - run: bash checks/{script}\n"
    )
    check = "great_expectations checkpoint run taxi\n"
    root = make_repo({"env.yml": env, "checks/run.sh": check,
                      ".github/workflows/t.yml": wf.replace("{script}", "none.sh")})
    assert found(root, "data_validation_runs_in_ci") == set()
    root = make_repo({"env.yml": env, "checks/run.sh": check,
                      ".github/workflows/t.yml": wf.replace("{script}", "run.sh")})
    assert found(root, "data_validation_runs_in_ci") == {
        ("data_validation_runs_in_ci", ".github/workflows/t.yml")
    }


# ------------------------------------------------------------------ platform SDKs and configs
KFP_COMPONENT = """\
from kfp.v2.dsl import Output, Metrics, component
import google.cloud.aiplatform as aip

@component
def custom_train_job(metrics: Output[Metrics]):
    job = aip.CustomTrainingJob(display_name="train", script_path="train.py",
                                container_uri="img", model_serving_container_image_uri="srv")
    model = job.run(model_display_name="xgb", args=[])
    metrics.log_metric("rmse", 1.0)
"""


def test_kfp_metrics_vertex_training_job_upload_and_serving_image(make_repo: MakeRepo) -> None:
    root = make_repo({"components/train.py": KFP_COMPONENT})
    tree = RepoTree(root)
    got = {d: [(f.line, f.detail) for f in REGISTRY[d].detect(tree)]
           for d in ("experiment_tracking_used", "model_registry_used", "model_packaged")}
    assert got == {
        "experiment_tracking_used": [(9, "Kubeflow Pipelines metrics: metrics.log_metric()")],
        "model_registry_used": [(8, "Vertex AI Model Registry: job.run()")],
        "model_packaged": [(6, "Vertex AI model with its serving container: "
                               "google.cloud.aiplatform.CustomTrainingJob()")],
    }


@pytest.mark.parametrize("source", [
    # .log_metric on something that is not a KFP metrics artifact
    "from kfp import dsl\nimport logger\nlogger.log_metric('x', 1)\n",
    # a training job run without a model name uploads nothing
    "import google.cloud.aiplatform as aip\n"
    "job = aip.CustomTrainingJob(display_name='t', script_path='t.py', container_uri='i')\n"
    "job.run(args=[])\n",
    # another library's run(model_display_name=...) without a Vertex training job
    "import google.cloud.aiplatform as aip\nimport other\n"
    "other.Job().run(model_display_name='x')\n",
])
def test_platform_sdk_near_misses(make_repo: MakeRepo, source: str) -> None:
    root = make_repo({"c.py": source})
    assert found(root, "experiment_tracking_used", "model_registry_used", "model_packaged") == set()


AKS = (
    "computeType: AKS\n"
    "autoScaler: {autoscaleEnabled: True, minReplicas: 1}\n"
    "authEnabled: True\n"
    "appInsightsEnabled: True\n"
)
INFERENCE = "entryScript: score.py\nruntime: python\ncondaFile: ../conda.yml\n"


def test_azureml_v1_web_service_files(make_repo: MakeRepo) -> None:
    root = make_repo({"scoring/deployment_config_aks.yml": AKS,
                      "scoring/deployment_config_aci.yml": AKS.replace("AKS", "ACI").replace(
                          "appInsightsEnabled: True", "appInsightsEnabled: False"),
                      "scoring/inference_config.yml": INFERENCE,
                      "compute/cluster.yml": "computeType: AmlCompute\nvmSize: STANDARD_D2\n",
                      "other/inference.yml": "entryScript: score.py\n"})  # no runtime: not one
    tree = RepoTree(root)
    got = {d: sorted((f.file or "", f.detail) for f in REGISTRY[d].detect(tree))
           for d in ("model_serving_present", "service_metrics_exported", "model_packaged")}
    assert got == {
        "model_serving_present": [
            ("scoring/deployment_config_aci.yml", "Azure ML (v1) ACI web service deployment config"),
            ("scoring/deployment_config_aks.yml", "Azure ML (v1) AKS web service deployment config"),
        ],
        "service_metrics_exported": [
            ("scoring/deployment_config_aks.yml",
             "Azure ML AKS web service with Application Insights (appInsightsEnabled)"),
        ],
        "model_packaged": [
            ("scoring/inference_config.yml", "Azure ML (v1) inference config: entry script score.py"),
        ],
    }


def test_vertex_prediction_job_with_monitoring_config(make_repo: MakeRepo) -> None:
    job = (
        "from google.cloud.aiplatform_v1beta1 import JobServiceClient\n"
        "message = {'displayName': 'batch'}\n"
        "if skew_config:\n"
        "    message['modelMonitoringConfig'] = {'objectiveConfigs': [skew_config]}\n"
    )
    root = make_repo({"predict.py": job,
                      "notes.py": job.replace("from google.cloud.aiplatform_v1beta1 import "
                                              "JobServiceClient\n", "")})
    assert found(root, "drift_detection_used") == {("drift_detection_used", "predict.py")}


# Dagster: a schedule in a module of its own, and a code location that schedules the assets of
# the modules it imports (written from Dagster's documentation, not from a calibration repo)
DAGSTER_OPS = (
    "from dagster import op\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "@op\ndef load():\n    return [[0], [1]], [0, 1]\n"
    "@op\ndef fit_model(data):\n    X, y = data\n    return LogisticRegression().fit(X, y)\n"
)
DAGSTER_JOB = (
    "from dagster import job\n"
    "from ops.training_ops import load, fit_model\n"
    "@job\ndef nightly_training():\n    fit_model(load())\n"
)


def dagster_schedule(job: str) -> str:
    return ("from dagster import schedule\n"
            f"@schedule(cron_schedule='0 3 * * *', job_name='{job}')\n"
            "def every_night():\n    return {}\n")


def test_a_dagster_schedule_in_its_own_module_schedules_the_job_it_names(
        make_repo: MakeRepo) -> None:
    # ops imported from a folder without __init__.py, next to the job's folder (src layout)
    root = make_repo({"src/ops/training_ops.py": DAGSTER_OPS,
                      "src/jobs/training_job.py": DAGSTER_JOB,
                      "src/schedules/nightly.py": dagster_schedule("nightly_training")})
    assert found(root, "training_in_pipeline", *RETRAINING) == {
        ("training_in_pipeline", "src/jobs/training_job.py"),
        ("training_scheduled", "src/jobs/training_job.py"),
    }
    assert details(root, "training_scheduled") == [
        "Dagster training pipeline scheduled: Dagster schedule in src/schedules/nightly.py "
        "(line 2)"
    ]


def test_a_dagster_schedule_of_another_job_schedules_no_training(make_repo: MakeRepo) -> None:
    root = make_repo({"src/ops/training_ops.py": DAGSTER_OPS,
                      "src/jobs/training_job.py": DAGSTER_JOB,
                      "src/schedules/nightly.py": dagster_schedule("nightly_report")})
    assert found(root, "training_in_pipeline", *RETRAINING) == {
        ("training_in_pipeline", "src/jobs/training_job.py")}


DAGSTER_ASSETS = (
    "from dagster import asset\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "@asset\ndef training_data():\n    return [[0], [1]], [0, 1]\n"
    "@asset\ndef model_train(training_data):\n"
    "    X, y = training_data\n    return LogisticRegression().fit(X, y)\n"
)


@pytest.mark.parametrize(("schedules", "scheduled"), [
    ("schedules=[schedules.nightly]", True),
    ("", False),  # a code location with no schedule
])
def test_a_dagster_code_location_schedules_the_assets_it_imports(
        make_repo: MakeRepo, schedules: str, scheduled: bool) -> None:
    definitions = ("from dagster import Definitions, load_assets_from_modules\n"
                   "from app import assets, schedules\n"
                   f"defs = Definitions(assets=load_assets_from_modules([assets]), {schedules})\n")
    root = make_repo({
        "app/__init__.py": "", "app/assets.py": DAGSTER_ASSETS,
        "app/schedules.py": "from dagster import ScheduleDefinition, define_asset_job\n"
                            "job = define_asset_job('train', selection=['model_train'])\n"
                            "nightly = ScheduleDefinition(job=job, cron_schedule='0 3 * * *')\n",
        "app/definitions.py": definitions,
    })
    got = found(root, *RETRAINING)
    assert got == ({("training_scheduled", "app/assets.py")} if scheduled else set())


def dagster_assets(group: str) -> str:
    return DAGSTER_ASSETS.replace("@asset\n", f"@asset(group_name='{group}')\n")


ASSET_JOBS = (
    "from dagster import AssetSelection, define_asset_job\n"
    "retrain_job = define_asset_job(name='retrain_job',\n"
    "                               selection=AssetSelection.groups('training'))\n"
    "report_job = define_asset_job(name='report_job',\n"
    "                              selection=AssetSelection.groups('reporting'))\n"
)


@pytest.mark.parametrize(("group", "importer", "expected"), [
    # a schedule module that imports the asset jobs relatively (``from ..jobs import``)
    ("training", "from ..jobs import retrain_job\n"
                 "weekly = ScheduleDefinition(job=retrain_job, cron_schedule='0 8 * * 0')\n",
     {("training_scheduled", "pkg/defs/assets/training.py")}),
    # near miss: the asset job selects a group the training assets are not in
    ("reporting", "from ..jobs import retrain_job\n"
                  "weekly = ScheduleDefinition(job=retrain_job, cron_schedule='0 8 * * 0')\n",
     set()),
    # near miss: the schedule runs another asset job of the same module
    ("training", "from ..jobs import report_job\n"
                 "daily = ScheduleDefinition(job=report_job, cron_schedule='0 8 * * *')\n",
     set()),
    # a sensor in a module of its own starts the asset job: an event trigger
    ("training", "from pkg.defs.jobs import retrain_job\n"
                 "@sensor(job=retrain_job)\ndef on_drift(context):\n    return None\n",
     {("training_triggered_by_event", "pkg/defs/assets/training.py")}),
])
def test_a_dagster_asset_job_runs_the_assets_of_the_groups_it_selects(
        make_repo: MakeRepo, group: str, importer: str, expected: set[tuple[str, str]]) -> None:
    root = make_repo({
        "pkg/__init__.py": "", "pkg/defs/__init__.py": "",
        "pkg/defs/assets/__init__.py": "",
        "pkg/defs/assets/training.py": dagster_assets(group),
        "pkg/defs/jobs/__init__.py": ASSET_JOBS,
        "pkg/defs/schedules/__init__.py": "from dagster import ScheduleDefinition, sensor\n"
                                          + importer,
    })
    assert found(root, *RETRAINING) == expected


def test_a_relative_import_names_the_module_of_its_package(make_repo: MakeRepo) -> None:
    from mlkaizen.evidence.detectors.pipeline_schedules import local_module

    root = make_repo({"a/b/c.py": "", "a/b/jobs.py": "", "a/jobs/__init__.py": "",
                      "jobs.py": ""})
    tree = RepoTree(root)
    assert local_module(tree, "a/b/c.py", ".jobs") == "a/b/jobs.py"
    assert local_module(tree, "a/b/c.py", "..jobs.retrain_job") == "a/jobs/__init__.py"
    assert local_module(tree, "a/b/c.py", "...jobs") == "jobs.py"
    # above the repository's root, or a module the package does not hold: none
    assert local_module(tree, "a/b/c.py", "....jobs") is None
    assert local_module(tree, "a/b/c.py", ".missing") is None
    # a name the package itself defines: its __init__.py
    root = make_repo({"p/__init__.py": "job = 1\n", "p/s/__init__.py": "", "p/s/x.py": ""})
    tree = RepoTree(root)
    assert local_module(tree, "p/s/x.py", "..job") == "p/__init__.py"
    assert local_module(tree, "p/s/x.py", ".job") == "p/s/__init__.py"


@pytest.mark.parametrize(("selection", "expected"), [
    ("AssetSelection.all()", {("training_scheduled", "pkg/assets.py")}),
    # near miss: every asset but the training group's
    ("AssetSelection.all() - AssetSelection.groups('training')", set()),
])
def test_a_dagster_asset_job_of_all_assets(make_repo: MakeRepo, selection: str,
                                           expected: set[tuple[str, str]]) -> None:
    root = make_repo({
        "pkg/__init__.py": "from dagster import AssetSelection, define_asset_job\n"
                           f"retrain_job = define_asset_job('retrain', selection={selection})\n",
        "pkg/assets.py": dagster_assets("training"),
        "pkg/sched/__init__.py": "",
        "pkg/sched/nightly.py": "from dagster import ScheduleDefinition\n"
                                "from .. import retrain_job\n"
                                "n = ScheduleDefinition(job=retrain_job, cron_schedule='0 3 * * *')\n",
    })
    assert found(root, *RETRAINING) == expected


DAGSTER_DEFINITIONS = (
    "from dagster import Definitions, define_asset_job\n"
    "from .assets.training import training_data, model_train\n"
    "from .sensors.new_data import new_data_sensor\n"
    "process_job = define_asset_job(name='process_job', selection='*')\n"
    "defs = Definitions(assets=[training_data, model_train], jobs=[process_job],\n"
    "                   sensors=[new_data_sensor])\n"
)


@pytest.mark.parametrize(("job_name", "selection", "expected"), [
    # a sensor names by string the asset job that the code location defines over every asset
    ("process_job", "'*'", {("training_triggered_by_event", "pkg/assets/training.py")}),
    # near miss: the sensor names a job that no module defines
    ("cleanup_job", "'*'", set()),
    # near miss: the named job selects other assets only
    ("process_job", "['training_data']", set()),
])
def test_a_dagster_sensor_naming_an_asset_job_by_string(
        make_repo: MakeRepo, job_name: str, selection: str, expected: Pairs) -> None:
    root = make_repo({
        "pkg/__init__.py": "", "pkg/assets/__init__.py": "", "pkg/sensors/__init__.py": "",
        "pkg/assets/training.py": DAGSTER_ASSETS,
        "pkg/sensors/new_data.py": "from dagster import sensor, RunRequest\n"
                                   f"@sensor(job_name='{job_name}')\n"
                                   "def new_data_sensor(context):\n    return RunRequest()\n",
        "pkg/definitions.py": DAGSTER_DEFINITIONS.replace("'*'", selection),
    })
    assert found(root, *RETRAINING) == expected


SCHEDULER_MODULE_CALL = """\
module "pubsub_scheduler" {
  for_each       = var.cloud_schedulers_config
  source         = "./modules/pubsub_scheduler"
  scheduler_name = "${each.value.name}-${var.name_suffix}"
  schedule       = each.value.schedule
  topic_id       = module.pubsub_trigger.pubsub_id
}
"""
SCHEDULER_TFVARS = """\
cloud_schedulers_config = {
  retraining = {
    name     = "frauds-automated-retraining-scheduler",
    schedule = "0 0 * * 2",
  },
}
"""


@pytest.mark.parametrize(("tfvars", "source", "expected"), [
    # a scheduler in a Terraform module: what it starts is in its callers' values
    (SCHEDULER_TFVARS, "./modules/pubsub_scheduler",
     {("training_scheduled", "terraform/modules/pubsub_scheduler/scheduler.tf")}),
    # near miss: the values schedule a scoring job
    (SCHEDULER_TFVARS.replace("retraining", "scoring"), "./modules/pubsub_scheduler", set()),
    # near miss: the module block calls another module; the values are not this one's
    (SCHEDULER_TFVARS, "./modules/pubsub_trigger", set()),
])
def test_a_cloud_scheduler_in_a_terraform_module_reads_its_callers_values(
        make_repo: MakeRepo, tfvars: str, source: str, expected: Pairs) -> None:
    scheduler = SCHEDULER_TF.replace("scheduled_pipeline", "scheduler_job").replace(
        "      template_path = var.template_path\n", "")
    root = make_repo({
        "terraform/modules/pubsub_scheduler/scheduler.tf": scheduler,
        "terraform/main.tf": SCHEDULER_MODULE_CALL.replace("./modules/pubsub_scheduler", source),
        "terraform/config/dev/variables.auto.tfvars": tfvars,
    })
    assert found(root, *RETRAINING) == expected


@pytest.mark.parametrize(("job_name", "expected"), [
    # the sensor names the training job by its ``name``, given after a nested call
    ("retrain_job", {("training_triggered_by_event", "pkg/assets/training.py")}),
    # near miss: it names the other job of the same module, whose variable differs too
    ("etl_job", set()),
])
def test_a_sensor_names_one_asset_job_of_several(
        make_repo: MakeRepo, job_name: str, expected: Pairs) -> None:
    jobs = ("from dagster import AssetSelection, Definitions, define_asset_job\n"
            "from .sensors.new_data import new_data_sensor\n"
            "retrain = define_asset_job(selection=AssetSelection.groups('training'),\n"
            "                           name='retrain_job')\n"
            "etl = define_asset_job(selection=AssetSelection.groups('etl'), name='etl_job')\n"
            "defs = Definitions(jobs=[retrain, etl], sensors=[new_data_sensor])\n")
    root = make_repo({
        "pkg/__init__.py": "", "pkg/assets/__init__.py": "", "pkg/sensors/__init__.py": "",
        "pkg/assets/training.py": dagster_assets("training"),
        "pkg/sensors/new_data.py": "from dagster import sensor, RunRequest\n"
                                   f"@sensor(job_name='{job_name}')\n"
                                   "def new_data_sensor(context):\n    return RunRequest()\n",
        "pkg/definitions.py": jobs,
    })
    assert found(root, *RETRAINING) == expected
