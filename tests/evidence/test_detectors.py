"""Every detector on tiny fixture repositories: what must be found, and what must not.

Each case is (detector, files, expected outcome or None, expected file or None). A meta-test
checks that every registered detector has at least one positive and one negative case.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlkaizen.evidence.detectors import REGISTRY
from mlkaizen.evidence.tree import RepoTree
from tests.conftest import MakeRepo, write_tree

GHA_TEST = """name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r requirements.txt
      - run: pytest -q
"""
GHA_SCHEDULED_TRAIN = """on:
  schedule:
    - cron: "0 3 * * 1"
jobs:
  retrain:
    runs-on: ubuntu-latest
    steps:
      - run: dvc repro train
"""
GHA_DEPLOY = """on:
  push:
    branches: [main]
jobs:
  deploy:
    environment: production
    runs-on: ubuntu-latest
    steps:
      - uses: docker/build-push-action@v6
      - run: kubectl apply -f k8s/
      - run: terraform apply -auto-approve
      - run: helm rollback churn 0
"""
GITLAB = """stages: [test, train]
unit:
  stage: test
  script:
    - pytest
nightly-train:
  stage: train
  rules:
    - if: '$CI_PIPELINE_SOURCE == "schedule"'
  script:
    - python train.py
"""
AZURE = """trigger: [main]
schedules:
  - cron: "0 2 * * *"
    branches: {include: [main]}
stages:
  - stage: build
    jobs:
      - job: test
        steps:
          - script: python -m pytest tests
          - script: python src/train.py
"""
MLFLOW_TRAIN = """import mlflow
import mlflow.sklearn
from sklearn.linear_model import LogisticRegression

def main():
    with mlflow.start_run():
        model = LogisticRegression(random_state=0).fit(X, y)
        mlflow.log_metric("auc", 0.9)
        mlflow.sklearn.log_model(model, "model", registered_model_name="churn")
"""
FASTAPI_SERVE = """import joblib
from fastapi import FastAPI
import logging
log = logging.getLogger(__name__)
model = joblib.load("model.joblib")
app = FastAPI()

@app.post("/predict")
def predict(x: dict):
    y = model.predict([list(x.values())])
    log.info("prediction served", extra={"y": float(y[0])})
    return {"y": float(y[0])}
"""
ARGO_TRAIN_TEMPLATE = """apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: churn-train
spec:
  entrypoint: train
  templates:
    - name: train
      container:
        image: churn:1
        command: [python, train.py]
"""
ARGO_SENSOR = """apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: new-data
spec:
  dependencies:
    - name: upload
      eventSourceName: minio
      eventName: new-object
  triggers:
    - template:
        name: retrain
        argoWorkflow:
          operation: submit
          source:
            resource:
              apiVersion: argoproj.io/v1alpha1
              kind: Workflow
              metadata:
                generateName: churn-train-run-
              spec:
                workflowTemplateRef:
                  name: churn-train
"""
FASTAPI_NO_MODEL = """from fastapi import FastAPI
app = FastAPI()

@app.get("/health")
def health():
    return {"ok": True}
"""
DVC_YAML = """stages:
  download_data:
    cmd: python src/download.py
    outs: [data/raw.csv]
  validate_data:
    cmd: python src/check.py
  train:
    cmd: python src/train.py
    outs: [model.pkl]
"""
NOTEBOOK = """{
 "cells": [
  {
   "cell_type": "code",
   "metadata": {},
   "source": [
    "import wandb\\n",
    "run = wandb.init(project='x')\\n"
   ]
  }
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
"""
K8S_ISVC = """apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: churn
spec:
  predictor:
    canaryTrafficPercent: 10
    logger:
      mode: all
    model:
      modelFormat: {name: sklearn}
"""
PROM_CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: model-rules
  namespace: {{ .Values.namespace }}
data:
  model-alerts.yml: |
    groups:
      - name: model
        rules:
          - alert: PredictionDrift
            expr: min(model_drift_passed) == 0
            for: 5m
"""
PROM_RULES = """groups:
  - name: model
    rules:
      - alert: PredictionDrift
        expr: drift_score > 0.3
"""

DATA_CONTRACT = """import csv
from pathlib import Path


def test_event_volumes_are_stable():
    with Path("data/metadata/events.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 962
    assert {r["label"] for r in rows} <= {"good", "defect"}
"""

# a release pipeline's stages, as Azure Pipelines writes them (the rollback job runs a helm
# upgrade to the former weights: its name says rollback, its command does not)
AZURE_ROLLBACK = """trigger: [main]
stages:
- stage: Blue_100
  jobs:
  - deployment: blue_Rollout_100
    environment: abtestenv
    strategy:
      runOnce:
        deploy:
          steps:
          - script: helm upgrade abtest ./charts --set weight.blue=100
- stage: Rollback
  dependsOn: Blue_100
  condition: failed()
  jobs:
  - deployment: Roll_Back
    environment: abtestenv
    strategy:
      runOnce:
        deploy:
          steps:
          - script: helm upgrade abtest ./charts --set weight.blue=0
"""

Files = dict[str, str | bytes]
CASES: list[tuple[str, Files, str | None, str | None]] = [
    # code versioning
    ("code_under_version_control", {".git/HEAD": "ref: refs/heads/main\n", "a.py": ""},
     "found", None),
    # data versioning
    ("dvc_tracks_data", {"data/raw.csv.dvc": "outs:\n- md5: abc\n  path: raw.csv\n"},
     "found", "data/raw.csv.dvc"),
    ("dvc_tracks_data", {"dvc.yaml": DVC_YAML}, "found", "dvc.yaml"),
    ("dvc_tracks_data", {".dvc/config": "[core]\n"}, "partial", ".dvc/config"),
    ("dvc_tracks_data", {"README.md": "We should use DVC: `dvc add data`\n"}, None, None),
    ("git_lfs_tracks_data", {".gitattributes": "*.parquet filter=lfs diff=lfs merge=lfs -text\n"},
     "found", ".gitattributes"),
    ("git_lfs_tracks_data", {".gitattributes": "*.sh text eol=lf\n"}, None, None),
    ("lakefs_or_delta_versioning",
     {"etl.py": "from deltalake import write_deltalake\nwrite_deltalake('t', df)\n",
      "train.py": "from deltalake import DeltaTable\n"
                  "df = DeltaTable('t', version=run.delta_version).to_pandas()\n"},
     "found", "etl.py"),
    # Delta tables written, but no run reads or records a table version: partly versioning
    ("lakefs_or_delta_versioning",
     {"etl.py": "from deltalake import write_deltalake\nwrite_deltalake('t', df)\n"},
     "partial", "etl.py"),
    # ... though a lakehouse table is shared storage all the same
    ("warehouse_data_used",
     {"etl.py": "from delta.tables import DeltaTable\n"
                "DeltaTable.forName(spark, 'main.sales').merge(updates, 'id').execute()\n"},
     "found", "etl.py"),
    ("warehouse_data_used", {"etl.py": "import delta\nprint(delta.__version__)\n"}, None, None),
    # near miss: delta-rs writing a table to a local folder
    ("warehouse_data_used",
     {"etl.py": "from deltalake import write_deltalake\nwrite_deltalake('./data/t', df)\n"},
     None, None),
    ("lakefs_or_delta_versioning", {"notes.md": "consider lakeFS or delta lake"}, None, None),
    ("data_remote_storage_configured",
     {".dvc/config": "['remote \"s3\"']\n    url = s3://bucket/data\n"}, "found", ".dvc/config"),
    ("data_remote_storage_configured", {"src/app.py": "URL = 'https://example.com/x'\n"}, None, None),
    ("data_assets_versioned",
     {"mlops/data.yml": "$schema: https://azuremlschemas.azureedge.net/latest/data.schema.json\n"
                        "name: taxi\ntype: uri_file\npath: data/taxi.csv\n"}, "found", "mlops/data.yml"),
    ("data_assets_versioned", {"mlops/data.yml": "name: taxi\ntype: uri_file\n"}, None, None),
    # the CLI v2 preview named the schema of a data asset dataset.schema.json
    ("data_assets_versioned",
     {"src/green_data.yml": "$schema: https://azuremlschemas.azureedge.net/latest/dataset.schema.json\n"
                            "name: greendata\nversion: 3\npath: ./data\n"},
     "found", "src/green_data.yml"),
    # near miss: a dataset-named schema that is not Azure ML's
    ("data_assets_versioned",
     {"src/green_data.yml": "$schema: https://example.com/schemas/dataset.schema.json\n"
                            "name: greendata\nversion: 3\n"}, None, None),
    # data validation
    ("data_validation_library_used",
     {"v.py": "import pandera as pa\nschema = pa.DataFrameSchema({})\nschema.validate(df)\n"},
     "found", "v.py"),
    ("data_validation_library_used", {"requirements.txt": "pandera==0.20\n"}, None, None),
    ("data_schema_declared",
     {"schema.py": "import pandera as pa\nclass S(pa.DataFrameModel):\n    x: int\n"},
     "found", "schema.py"),
    ("data_schema_declared", {"gx/great_expectations.yml": "config_version: 3\n"},
     "found", "gx/great_expectations.yml"),
    ("data_schema_declared", {"model.py": "class S:\n    x: int\n"}, None, None),
    # a JSON schema for data counts when something of the repository reads it
    ("data_schema_declared",
     {"data/schemas/orders.json": '{"type": "object"}\n',
      "src/load.py": "SCHEMA = 'data/schemas/orders.json'\n"},
     "found", "data/schemas/orders.json"),
    # near misses: a schema nothing names, one only a longer name contains, one only a test names
    ("data_schema_declared",
     {"data/schemas/orders.json": '{"type": "object"}\n',
      "src/load.py": "SCHEMA = 'data/schemas/old_orders.json'\n"},
     None, None),
    ("data_schema_declared", {"data/schemas/orders.json": '{"type": "object"}\n'}, None, None),
    ("data_schema_declared",
     {"data/schemas/orders.json": '{"type": "object"}\n',
      "tests/test_load.py": "def test_x():\n    assert open('orders.json')\n"},
     None, None),
    # tracking
    ("experiment_tracking_used", {"train.py": MLFLOW_TRAIN}, "found", "train.py"),
    ("experiment_tracking_used", {"nb.ipynb": NOTEBOOK}, "found", "nb.ipynb"),
    ("experiment_tracking_used", {"README.md": "import mlflow\nmlflow.log_metric('a', 1)\n"},
     None, None),
    ("experiment_tracking_used", {"t.py": "import mlflow  # planned\n"}, None, None),
    ("shared_tracking_server",
     {"t.py": "import mlflow\nmlflow.set_tracking_uri('https://mlflow.acme.io')\n"},
     "found", "t.py"),
    ("shared_tracking_server",
     {"t.py": "import mlflow\nmlflow.set_tracking_uri('file:./mlruns')\n"}, None, None),
    # reproducibility
    ("params_file_present", {"params.yaml": "lr: 0.1\n"}, "found", "params.yaml"),
    ("params_file_present", {"src/train.py": "LR = 0.1\n"}, None, None),
    ("random_seeds_set", {"t.py": "import numpy as np\nnp.random.seed(1)\n"}, "found", "t.py"),
    ("random_seeds_set",
     {"t.py": "from sklearn.model_selection import train_test_split\n"
              "a, b = train_test_split(x, random_state=42)\n"}, "found", "t.py"),
    ("random_seeds_set", {"t.py": "import numpy as np\nx = np.random.rand(3)\n"}, None, None),
    # a generator made from a literal seed; a seed in a parameters mapping; Spark's split
    ("random_seeds_set", {"t.py": "import random\nrng = random.Random(42)\n"}, "found", "t.py"),
    ("random_seeds_set",
     {"t.py": "import lightgbm as lgb\nparams = {'objective': 'l2', 'seed': 42}\n"},
     "found", "t.py"),
    ("random_seeds_set",
     {"t.py": "from pyspark.sql import SparkSession\n"
              "train, test = df.randomSplit([0.8, 0.2], seed=42)\n"}, "found", "t.py"),
    # near misses: an unseeded generator; a seed in a comment
    ("random_seeds_set", {"t.py": "import random\nrng = random.Random()\n"}, None, None),
    ("random_seeds_set",
     {"t.py": "import lightgbm as lgb\nparams = {'objective': 'l2'}  # 'seed': 42\n"},
     None, None),
    ("dependencies_pinned", {"requirements.txt": "numpy==2.1.0\npandas==2.2.0\n"},
     "found", "requirements.txt"),
    ("dependencies_pinned", {"requirements.txt": "numpy==2.1.0\npandas>=2\n"},
     "partial", "requirements.txt"),
    ("dependencies_pinned", {"uv.lock": "version = 1\n"}, "found", "uv.lock"),
    # most lines pinned (two in three) is a pinned environment; fewer is partial
    ("dependencies_pinned", {"requirements.txt": "numpy==2.1.0\npandas==2.2.0\nboto3>=1.26\n"},
     "found", "requirements.txt"),
    ("dependencies_pinned",
     {"requirements.txt": "numpy==2.1.0\npandas==2.2.0\nboto3>=1.26\nrequests\n"},
     "partial", "requirements.txt"),
    ("dependencies_pinned", {"requirements.txt": "numpy\npandas>=2\n"}, None, None),
    # pipelines
    ("pipeline_defined", {"dvc.yaml": DVC_YAML}, "found", "dvc.yaml"),
    ("pipeline_defined",
     {"flow.py": "from prefect import flow, task\n@task\ndef train_model():\n    pass\n"
                 "@flow\ndef pipeline():\n    train_model()\n"}, "found", "flow.py"),
    ("pipeline_defined", {"run.sh": "python train.py\n"}, None, None),
    ("training_in_pipeline", {"dvc.yaml": DVC_YAML}, "found", "dvc.yaml"),
    ("training_in_pipeline",
     {"dag.py": "from airflow import DAG\nfrom airflow.operators.bash import BashOperator\n"
                "with DAG('d', schedule='@daily') as dag:\n"
                "    BashOperator(task_id='train_model', bash_command='python train.py')\n"},
     "found", "dag.py"),
    ("training_in_pipeline", {"dvc.yaml": "stages:\n  report:\n    cmd: python report.py\n"},
     None, None),
    # a dvc.yaml of one stage runs the training script through DVC: partly a pipeline (a
    # one-task DAG above is found: a code pipeline's steps may be imported from elsewhere)
    ("training_in_pipeline", {"dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n"},
     "partial", "dvc.yaml"),
    ("training_in_pipeline", {"dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n"
                                          "  evaluate:\n    cmd: python evaluate.py\n"},
     "found", "dvc.yaml"),
    ("ingestion_in_pipeline", {"dvc.yaml": DVC_YAML}, "found", "dvc.yaml"),
    ("ingestion_in_pipeline", {"dvc.yaml": "stages:\n  train:\n    cmd: python t.py\n"},
     None, None),
    # the pipeline's data preparation step reads the raw data in
    ("ingestion_in_pipeline",
     {"dvc.yaml": "stages:\n  preprocess:\n    cmd: python prep.py\n"
                  "  train:\n    cmd: python train.py\n"}, "found", "dvc.yaml"),
    # near miss: a flag that skips preprocessing, a package named for it
    ("ingestion_in_pipeline",
     {"dvc.yaml": "stages:\n  train:\n    cmd: python train.py --skip-preprocessing\n"
                  "  setup:\n    cmd: pip install text-preprocessing\n"}, None, None),
    # near miss: post-processing the model's outputs takes nothing in
    ("ingestion_in_pipeline",
     {"dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n"
                  "  postprocess:\n    cmd: python post.py\n"}, None, None),
    ("data_validation_in_pipeline", {"dvc.yaml": DVC_YAML}, "found", "dvc.yaml"),
    ("data_validation_in_pipeline", {"dvc.yaml": "stages:\n  train:\n    cmd: python t.py\n"},
     None, None),
    ("deployment_in_pipeline", {"dvc.yaml": "stages:\n  deploy:\n    cmd: python deploy.py\n"},
     "found", "dvc.yaml"),
    ("deployment_in_pipeline", {"dvc.yaml": DVC_YAML}, None, None),
    # registry
    ("model_registry_used", {"train.py": MLFLOW_TRAIN}, "found", "train.py"),
    ("model_registry_used",
     {"r.py": "from mlflow import MlflowClient\nc = MlflowClient()\n"
              "c.set_registered_model_alias('m', 'champion', 3)\n"}, "found", "r.py"),
    ("model_registry_used", {"dvc.yaml": "artifacts:\n  churn:\n    path: model.pkl\n"},
     "found", "dvc.yaml"),
    ("model_registry_used", {"t.py": "import mlflow\nmlflow.log_metric('a', 1)\n"}, None, None),
    # CI
    ("ci_configured", {".github/workflows/ci.yml": GHA_TEST}, "found", ".github/workflows/ci.yml"),
    ("ci_configured", {".gitlab-ci.yml": GITLAB}, "found", ".gitlab-ci.yml"),
    ("ci_configured", {"azure-pipelines.yml": AZURE}, "found", "azure-pipelines.yml"),
    ("ci_configured", {"docs/ci.yml": GHA_TEST}, None, None),
    ("tests_run_in_ci", {".github/workflows/ci.yml": GHA_TEST}, "found",
     ".github/workflows/ci.yml"),
    ("tests_run_in_ci", {".gitlab-ci.yml": GITLAB}, "found", ".gitlab-ci.yml"),
    ("tests_run_in_ci", {".github/workflows/ci.yml": GHA_TEST.replace("pytest -q", "make test"),
                         "Makefile": "test:\n\tpython -m pytest\n"}, "found",
     ".github/workflows/ci.yml"),
    ("tests_run_in_ci", {".github/workflows/ci.yml": GHA_TEST.replace("pytest -q", "echo hi")},
     None, None),
    # a task runner's task: what it runs is what the step does (mise, Task, poe, npm, tox)
    ("tests_run_in_ci", {".github/workflows/ci.yml": GHA_TEST.replace("pytest -q", "mise run test"),
                         "mise.toml": '[tasks.test]\nrun = "uv run pytest"\n'}, "found",
     ".github/workflows/ci.yml"),
    ("tests_run_in_ci", {".github/workflows/ci.yml": GHA_TEST.replace("pytest -q", "mise run lint"),
                         "mise.toml": '[tasks.test]\nrun = "uv run pytest"\n'
                                      '[tasks.lint]\nrun = "ruff check ."\n'}, None, None),
    ("tests_run_in_ci", {".github/workflows/ci.yml": GHA_TEST.replace("pytest -q", "task test"),
                         "Taskfile.yml": "version: '3'\ntasks:\n  test:\n    cmds:\n"
                                         "      - python -m pytest tests\n"}, "found",
     ".github/workflows/ci.yml"),
    ("tests_run_in_ci", {".github/workflows/ci.yml": GHA_TEST.replace("pytest -q", "poe test"),
                         "pyproject.toml": "[tool.poe.tasks]\ntest = 'pytest -x'\n"}, "found",
     ".github/workflows/ci.yml"),
    ("tests_run_in_ci", {".github/workflows/ci.yml": GHA_TEST.replace("pytest -q", "tox -e py311"),
                         "tox.ini": "[testenv]\ncommands = pytest {posargs}\n"}, "found",
     ".github/workflows/ci.yml"),
    ("tests_run_in_ci", {".github/workflows/ci.yml": GHA_TEST.replace("pytest -q", "npm run build"),
                         "package.json": '{"scripts": {"build": "tsc", "test": "pytest"}}'},
     None, None),
    # near misses: a flag's value that names a Makefile target; npm's script named as a
    # Makefile target (each runner's tasks are its own)
    ("tests_run_in_ci", {".github/workflows/ci.yml": GHA_TEST.replace("pytest -q",
                                                                      "python main.py --task test"),
                         "Makefile": "test:\n\tpython -m pytest\n"}, None, None),
    ("tests_run_in_ci", {".github/workflows/ci.yml": GHA_TEST.replace("pytest -q", "npm run test"),
                         "Makefile": "test:\n\tpython -m pytest\n",
                         "package.json": '{"scripts": {"test": "jest"}}'}, None, None),
    ("training_runs_in_ci", {"azure-pipelines.yml": AZURE}, "found", "azure-pipelines.yml"),
    ("training_runs_in_ci", {".github/workflows/ci.yml": GHA_TEST}, None, None),
    ("evaluation_runs_in_ci",
     {".github/workflows/e.yml": GHA_TEST.replace("pytest -q", "python evaluate.py")},
     "found", ".github/workflows/e.yml"),
    ("evaluation_runs_in_ci", {".github/workflows/ci.yml": GHA_TEST}, None, None),
    ("data_validation_runs_in_ci",
     {".github/workflows/v.yml": GHA_TEST.replace("pytest -q",
                                                  "great_expectations checkpoint run c")},
     "found", ".github/workflows/v.yml"),
    ("data_validation_runs_in_ci", {".github/workflows/ci.yml": GHA_TEST}, None, None),
    # a job that fetches the dataset, then runs the data test module on it
    ("data_validation_runs_in_ci",
     {".github/workflows/d.yml": GHA_TEST.replace("pytest -q",
                                                  "dvc pull\n      - run: pytest tests/test_data.py")},
     "found", ".github/workflows/d.yml"),
    # near misses: the data test module in a job that fetches nothing; a fetch after the tests;
    # the whole suite after a fetch
    ("data_validation_runs_in_ci",
     {".github/workflows/d.yml": GHA_TEST.replace("pytest -q", "pytest tests/test_data.py")},
     None, None),
    ("data_validation_runs_in_ci",
     {".github/workflows/d.yml": GHA_TEST.replace("pytest -q",
                                                  "pytest tests/test_data.py\n      - run: dvc pull")},
     None, None),
    ("data_validation_runs_in_ci",
     {".github/workflows/d.yml": GHA_TEST.replace("pytest -q", "dvc pull\n      - run: pytest -q")},
     None, None),
    # the fetch and the tests in one step
    ("data_validation_runs_in_ci",
     {".github/workflows/d.yml": GHA_TEST.replace(
         "pytest -q", "dvc pull && pytest tests/test_data_ingestion.py")},
     "found", ".github/workflows/d.yml"),
    # near misses: a fetch only echoed; a data loader's tests; a data test deselected
    ("data_validation_runs_in_ci",
     {".github/workflows/d.yml": GHA_TEST.replace(
         "pytest -q", "echo 'run dvc pull first' && pytest tests/test_data.py")},
     None, None),
    ("data_validation_runs_in_ci",
     {".github/workflows/d.yml": GHA_TEST.replace(
         "pytest -q", "dvc pull && pytest tests/test_dataloader.py")},
     None, None),
    ("data_validation_runs_in_ci",
     {".github/workflows/d.yml": GHA_TEST.replace(
         "pytest -q", "dvc pull && pytest -k 'not test_data'")},
     None, None),
    # hostile: a long run of fetch-like words on one line is read in linear time
    ("data_validation_runs_in_ci",
     {".github/workflows/d.yml": GHA_TEST.replace("pytest -q", "gsutil cp " * 20_000)},
     None, None),
    ("cml_reports_in_ci",
     {".github/workflows/c.yml": GHA_TEST.replace("pytest -q", "cml comment create report.md")},
     "found", ".github/workflows/c.yml"),
    ("cml_reports_in_ci", {".github/workflows/ci.yml": GHA_TEST}, None, None),
    ("deployment_runs_in_ci", {".github/workflows/d.yml": GHA_DEPLOY}, "found",
     ".github/workflows/d.yml"),
    ("deployment_runs_in_ci", {".github/workflows/ci.yml": GHA_TEST}, None, None),
    ("infra_provisioned_by_ci", {".github/workflows/d.yml": GHA_DEPLOY}, "found",
     ".github/workflows/d.yml"),
    ("infra_provisioned_by_ci", {".github/workflows/ci.yml": GHA_TEST}, None, None),
    ("lint_runs_in_ci",
     {".github/workflows/l.yml": GHA_TEST.replace("pytest -q", "ruff check .")}, "found",
     ".github/workflows/l.yml"),
    ("lint_runs_in_ci", {".github/workflows/ci.yml": GHA_TEST}, None, None),
    ("policy_checks_in_ci",
     {".github/workflows/p.yml": GHA_TEST.replace("pytest -q", "checkov -d infra")}, "found",
     ".github/workflows/p.yml"),
    ("policy_checks_in_ci", {".github/workflows/ci.yml": GHA_TEST}, None, None),
    ("maturity_assessed_in_ci",
     {".github/workflows/m.yml": GHA_TEST.replace("pytest -q", "mlkaizen assess .")}, "found",
     ".github/workflows/m.yml"),
    ("maturity_assessed_in_ci", {".github/workflows/ci.yml": GHA_TEST}, None, None),
    ("deployment_approval_gates", {".github/workflows/d.yml": GHA_DEPLOY}, "found",
     ".github/workflows/d.yml"),
    ("deployment_approval_gates", {".github/workflows/ci.yml": GHA_TEST}, None, None),
    # retraining
    ("training_scheduled", {".github/workflows/r.yml": GHA_SCHEDULED_TRAIN}, "found",
     ".github/workflows/r.yml"),
    ("training_scheduled", {".gitlab-ci.yml": GITLAB}, "found", ".gitlab-ci.yml"),
    ("training_scheduled",
     {"dag.py": "from airflow import DAG\nfrom airflow.operators.bash import BashOperator\n"
                "with DAG('d', schedule='@weekly') as dag:\n"
                "    BashOperator(task_id='retrain', bash_command='python train.py')\n"},
     "found", "dag.py"),
    ("training_scheduled",
     {"dag.py": "from airflow import DAG\nfrom airflow.operators.bash import BashOperator\n"
                "with DAG('d', schedule=None) as dag:\n"
                "    BashOperator(task_id='train', bash_command='python train.py')\n"},
     None, None),
    ("training_scheduled", {".github/workflows/ci.yml": GHA_TEST}, None, None),
    ("training_triggered_by_event",
     {".github/workflows/t.yml": "on:\n  push:\n    paths: ['data/**']\njobs:\n  t:\n"
                                 "    steps:\n      - run: python train.py\n"},
     "found", ".github/workflows/t.yml"),
    ("training_triggered_by_event", {".github/workflows/r.yml": GHA_SCHEDULED_TRAIN}, None, None),
    # a merge re-runs a training that registers its model; a scheduled one is not a merge
    ("training_on_merge",
     {".github/workflows/t.yml": "on:\n  push:\n    branches: [main]\njobs:\n  t:\n"
                                 "    steps:\n      - run: python train.py --register\n"
                                 "      - run: mlflow models register -m runs:/x/model -n churn\n"},
     "found", ".github/workflows/t.yml"),
    ("training_on_merge", {".github/workflows/r.yml": GHA_SCHEDULED_TRAIN}, None, None),
    # a Metaflow flow built on a platform's flow class (Outerbounds' ProjectFlow), scheduled
    ("training_scheduled",
     {"flows/train/flow.py": "from metaflow import step, schedule\n"
                             "from obproject import ProjectFlow\n"
                             "@schedule(daily=True)\n"
                             "class TrainFlow(ProjectFlow):\n"
                             "    @step\n    def start(self):\n        self.next(self.train)\n"
                             "    @step\n    def train(self):\n        self.next(self.end)\n"
                             "    @step\n    def end(self):\n        pass\n"},
     "found", "flows/train/flow.py"),
    # near miss: a class in a file that imports Metaflow but has no steps is no flow
    ("pipeline_defined",
     {"flows/helpers.py": "from metaflow import current\n"
                          "class Paths(dict):\n    def run(self):\n        return current.run_id\n"},
     None, None),
    # an Argo Events sensor whose trigger starts the repository's training workflow template
    ("training_triggered_by_event",
     {"k8s/train.yaml": ARGO_TRAIN_TEMPLATE, "k8s/sensor.yaml": ARGO_SENSOR},
     "found", "k8s/train.yaml"),
    # near misses: the sensor stops the workflow, or starts another; the workflow does not train
    ("training_triggered_by_event",
     {"k8s/train.yaml": ARGO_TRAIN_TEMPLATE,
      "k8s/sensor.yaml": ARGO_SENSOR.replace("operation: submit", "operation: terminate")},
     None, None),
    ("training_triggered_by_event",
     {"k8s/train.yaml": ARGO_TRAIN_TEMPLATE,
      "k8s/sensor.yaml": ARGO_SENSOR.replace("name: churn-train", "name: churn-report")},
     None, None),
    ("training_triggered_by_event",
     {"k8s/train.yaml": ARGO_TRAIN_TEMPLATE.replace("train.py", "report.py")
                                           .replace("name: train", "name: report"),
      "k8s/sensor.yaml": ARGO_SENSOR},
     None, None),
    ("alert_triggers_retraining",
     {"monitor.py": "from evidently import Report\nimport requests\n"
                    "def check():\n    r = Report([])\n    trigger_retraining()\n"},
     "found", "monitor.py"),
    ("alert_triggers_retraining",
     {"monitor.py": "from evidently import Report\nr = Report([])\n"}, None, None),
    # tests
    ("unit_tests_present", {"tests/test_x.py": "def test_a():\n    assert add(1, 2) == 3\n"}, "found",
     "tests/test_x.py"),
    ("unit_tests_present", {"tests/helpers.py": "def make_frame():\n    pass\n",
                            "src/checks.py": "def test_a():\n    pass\n"}, None, None),
    # placeholders that test nothing, as templates and scaffolds ship them
    ("unit_tests_present", {"tests/test_basic.py": "def test_basic():\n    assert 1 == 1\n"},
     None, None),
    ("unit_tests_present", {"tests/test_api.py": "def test_dummy():\n    assert 1+1==2\n"},
     None, None),
    ("unit_tests_present",
     {"tests/test_pipelines.py": "import pytest\n\n@pytest.mark.xfail\n"
                                 "def test_that_you_wrote_tests():\n"
                                 "    assert False, 'No tests written'\n\n"
                                 "def test_pipelines_importable():\n    import pipelines\n"},
     None, None),
    # near misses of a placeholder: a comparison of what a fixture holds; a call under test
    ("unit_tests_present",
     {"tests/test_shape.py": "def test_shape(output):\n    assert output.shape == (3,)\n"},
     "found", "tests/test_shape.py"),
    ("unit_tests_present", {"tests/test_ok.py": "def test_ok():\n    assert str(1) == '1'\n"},
     "found", "tests/test_ok.py"),
    ("unit_tests_present", {"tests/test_fit.py": "def test_fit(model):\n    assert model.fitted\n"},
     "found", "tests/test_fit.py"),
    ("unit_tests_present", {"tests/test_none.py": "def test_n():\n    assert None is None\n"},
     None, None),
    # a class named Test... with no test in it is not a test (an options class of a script)
    ("unit_tests_present",
     {"src/options/test_options.py": "class TestOptions(Base):\n    def initialize(self):\n"
                                     "        self.parser.add_argument('--phase')\n"},
     None, None),
    ("data_tests_present",
     {"tests/test_features.py": "import pandas as pd\ndef test_f():\n"
                                "    assert not pd.read_csv('f.csv').isna().any().any()\n"},
     "found", "tests/test_features.py"),
    ("data_tests_present", {"tests/test_utils.py": "def test_u():\n    assert 1\n"}, None, None),
    # a data contract: a test about data reads the project's data files as records
    ("data_tests_present", {"tests/data/test_events_contract.py": DATA_CONTRACT}, "found",
     "tests/data/test_events_contract.py"),
    # near miss: the same reading in a test about something else
    ("data_tests_present", {"tests/test_report.py": DATA_CONTRACT}, None, None),
    # near misses: the test writes its file first; the test asserts nothing
    ("data_tests_present",
     {"tests/data/test_loader_contract.py": DATA_CONTRACT.replace(
         "def test_event_volumes_are_stable():\n",
         "def test_event_volumes_are_stable(tmp_path):\n"
         "    path = tmp_path / 'e.csv'\n"
         "    path.write_text('label\\ngood\\n')\n")},
     None, None),
    ("data_tests_present",
     {"tests/data/test_events_contract.py": "import csv\n\ndef test_read():\n"
                                            "    rows = list(csv.DictReader(open('e.csv')))\n"
                                            "    print(len(rows))\n"}, None, None),
    # near miss: the test writes the records it reads (it checks the reading code)
    ("data_tests_present",
     {"tests/data/test_events_contract.py": DATA_CONTRACT.replace(
         "def test_", "def write(p):\n    csv.writer(p.open('w')).writerow(['id'])\n\n\ndef test_")},
     None, None),
    ("model_tests_present",
     {"tests/test_model.py": "def test_m(model, X):\n    assert model.predict(X).shape\n"},
     "found", "tests/test_model.py"),
    ("model_tests_present", {"tests/test_utils.py": "def test_u():\n    assert 1\n"}, None, None),
    # near miss: a serving test that only calls the service's routes through a test client
    ("model_tests_present",
     {"tests/test_serving.py": "from fastapi.testclient import TestClient\n"
                               "from app.main import app\n"
                               "def test_health():\n"
                               "    assert TestClient(app).get('/health').status_code == 200\n"},
     None, None),
    ("model_tests_run_in_ci",
     {"tests/test_model.py": "def test_m(model, X):\n    assert model.predict(X).shape\n",
      ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    steps:\n      - run: pytest\n"},
     "found", ".github/workflows/ci.yml"),
    ("model_tests_run_in_ci",
     {"tests/test_model.py": "def test_m(model, X):\n    assert model.predict(X).shape\n",
      ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    steps:\n"
                                  "      - run: pytest tests/unit\n"}, None, None),
    # containers
    ("container_image_defined", {"Dockerfile": "FROM python:3.11\nCMD [\"python\"]\n"},
     "found", "Dockerfile"),
    ("container_image_defined",
     {".devcontainer/Dockerfile": "FROM python:3.11\n", "dockerfile.py": "x = 1\n"}, None, None),
    ("compose_defined", {"docker-compose.yml": "services: {}\n"}, "found", "docker-compose.yml"),
    ("compose_defined", {"compose.md": "services"}, None, None),
    ("dev_environment_defined", {".devcontainer/devcontainer.json": "{}"}, "found",
     ".devcontainer/devcontainer.json"),
    ("dev_environment_defined", {"setup.py": ""}, None, None),
    # a conda environment or a platform's environment asset under another name, by content
    ("dev_environment_defined",
     {"conda.yml": "name: proj\nchannels: [conda-forge]\ndependencies:\n  - python=3.11\n"},
     "found", "conda.yml"),
    ("dev_environment_defined",
     {"envs/train_env.yaml": "channels: [defaults]\ndependencies: [python=3.10, pip]\n"},
     "found", "envs/train_env.yaml"),
    ("dev_environment_defined",
     {"aml/aml_environment.yml": "$schema: https://azuremlschemas.azureedge.net/latest/"
                                 "environment.schema.json\nname: e\nimage: mcr/base:1\n"},
     "found", "aml/aml_environment.yml"),
    # near misses: settings named env, a dependency list with no conda marks, a compute asset
    ("dev_environment_defined", {"config/env.yml": "LOG_LEVEL: info\nREGION: eu\n"}, None, None),
    ("dev_environment_defined", {"env.yaml": "dependencies: [a, b]\n"}, None, None),
    ("dev_environment_defined",
     {"aml/compute_env.yml": "$schema: https://azuremlschemas.azureedge.net/latest/"
                             "amlCompute.schema.json\nname: cpu\nsize: Standard_DS3\n"},
     None, None),
    # serving
    ("model_serving_present", {"app/main.py": FASTAPI_SERVE}, "found", "app/main.py"),
    ("model_serving_present", {"app/main.py": FASTAPI_NO_MODEL}, None, None),
    # the app imports a module that imports the one that loads the model (two steps)
    ("model_serving_present",
     {"backend/app.py": "from fastapi import FastAPI\nfrom backend.rag import answer\n"
                        "app = FastAPI()\n",
      "backend/rag.py": "from model.inference import Predictor\n"
                        "def answer(q):\n    return Predictor().predict(q)\n",
      "model/inference.py": "import joblib\nclass Predictor:\n"
                            "    def __init__(self):\n        self.m = joblib.load('m.pkl')\n"},
     "found", "backend/app.py"),
    # near miss: three steps away is not the app's model
    ("model_serving_present",
     {"backend/app.py": "from fastapi import FastAPI\nfrom backend.rag import answer\n"
                        "app = FastAPI()\n",
      "backend/rag.py": "from backend.tools import tool\n",
      "backend/tools.py": "from model.inference import Predictor\n",
      "model/inference.py": "import joblib\nclass Predictor:\n"
                            "    def __init__(self):\n        self.m = joblib.load('m.pkl')\n"},
     None, None),
    # a reinforcement learning agent loaded by the module the app imports
    ("model_serving_present",
     {"serving/app.py": "from fastapi import FastAPI\nfrom serving.engine import Engine\n"
                        "app = FastAPI()\n",
      "serving/engine.py": "from stable_baselines3 import PPO\nclass Engine:\n"
                           "    def __init__(self, p):\n        self.agent = PPO.load(p)\n"},
     "found", "serving/app.py"),
    # the app loads the model through a module of the repository, in another folder
    ("model_serving_present",
     {"app/main.py": "from fastapi import FastAPI\nfrom src.utils import load_model\n"
                     "app = FastAPI()\nmodel = load_model()\n",
      "src/utils.py": "import joblib\ndef load_model(p='m.joblib'):\n    return joblib.load(p)\n"},
     "found", "app/main.py"),
    # near miss: the module it imports loads no model
    ("model_serving_present",
     {"app/main.py": "from fastapi import FastAPI\nfrom src.db import session\napp = FastAPI()\n",
      "src/db.py": "import sqlalchemy\nsession = sqlalchemy.orm.Session()\n",
      "train/fit.py": "import joblib\nm = joblib.load('m.pkl')\n"},
     None, None),
    ("model_serving_present", {"k8s/isvc.yaml": K8S_ISVC}, "found", "k8s/isvc.yaml"),
    ("model_serving_present",
     {"svc.py": "import bentoml\n@bentoml.service\nclass S:\n    pass\n"}, "found", "svc.py"),
    ("model_packaged", {"train.py": MLFLOW_TRAIN}, "found", "train.py"),
    ("model_packaged",
     {"Dockerfile": "FROM python:3.11\nCOPY model.pkl /m/\nCMD [\"uvicorn\", \"app:app\"]\n"},
     "found", "Dockerfile"),
    ("model_packaged", {"Dockerfile": "FROM python:3.11\nRUN echo hi\n"}, None, None),
    # monitoring
    ("drift_detection_used",
     {"drift.py": "from evidently.presets import DataDriftPreset\n"
                  "from evidently import Report\nr = Report([DataDriftPreset()])\n"},
     "found", "drift.py"),
    ("drift_detection_used", {"drift.md": "use evidently"}, None, None),
    # the team's own drift code: a two-sample test in a module about drift, a PSI function
    ("drift_detection_used",
     {"monitoring/drift.py": "from scipy.stats import ks_2samp\n"
                             "def check(ref, cur):\n    return ks_2samp(ref, cur).pvalue < 0.05\n"},
     "found", "monitoring/drift.py"),
    ("drift_detection_used",
     {"jobs/stability.py": "import numpy as np\n"
                           "def compute_psi(e, a):\n"
                           "    return float(np.sum((a - e) * np.log(a / e)))\n"},
     "found", "jobs/stability.py"),
    # near misses: the same test in an analysis not about drift, a PSI in a test, a psi variable
    ("drift_detection_used",
     {"analysis/compare_groups.py": "from scipy import stats\n"
                                    "def compare(a, b):\n    return stats.ks_2samp(a, b)\n"},
     None, None),
    ("drift_detection_used",
     {"tests/test_psi.py": "def compute_psi(e, a):\n    return 0.0\n"}, None, None),
    ("drift_detection_used", {"physics.py": "psi = 3.2\ndef wave(x):\n    return psi * x\n"},
     None, None),
    ("drift_detection_used",
     {"physics/waves.py": "def psi(x, n):\n    return x ** n\n"
                          "def kpa_to_psi(p):\n    return p * 0.145\n"},
     None, None),
    # a bare psi in a monitoring module, a camel-cased one, a stability index anywhere
    ("drift_detection_used",
     {"monitoring/stats.py": "import math\ndef psi(p, q):\n    return (q - p) * math.log(q / p)\n"},
     "found", "monitoring/stats.py"),
    ("drift_detection_used",
     {"jobs/report.py": "def population_stability_index(e, a):\n    return 0.0\n"},
     "found", "jobs/report.py"),
    # a drift measure held against a threshold, in a module about drift; a distance between
    # two embeddings in one
    ("drift_detection_used",
     {"lambda/monitor_drift.py": "THRESHOLD = 0.15\ndef handler(event, ctx):\n"
                                 "    drift = abs(rate() - BASELINE)\n"
                                 "    if drift > THRESHOLD:\n        retrain()\n"},
     "found", "lambda/monitor_drift.py"),
    ("drift_detection_used",
     {"steps/embedding_drift.py": "from scipy.spatial import distance\n"
                                  "def compute(ref, cur):\n    return distance.euclidean(ref, cur)\n"},
     "found", "steps/embedding_drift.py"),
    # near misses: a threshold only assigned, a comparison in a comment, a loss held against a
    # threshold in a training module, a distance in a search module
    ("drift_detection_used",
     {"monitoring/settings.py": "DRIFT_THRESHOLD = 0.1\n# if drift > DRIFT_THRESHOLD: alert\n"},
     None, None),
    ("drift_detection_used",
     {"src/train.py": "def fit(loss, threshold):\n    if loss > threshold:\n        stop()\n"},
     None, None),
    ("drift_detection_used",
     {"search/similar.py": "from scipy.spatial import distance\n"
                           "def nearest(a, b):\n    return distance.cosine(a, b)\n"},
     None, None),
    # the forms a drift measure takes: abs(), a method, a result's key, self's attributes,
    # a comparison over several lines
    ("drift_detection_used",
     {"monitoring/drift.py": "def check(d, THRESHOLD):\n    if abs(d.drift) > THRESHOLD:\n"
                             "        alert()\n"},
     "found", "monitoring/drift.py"),
    ("drift_detection_used",
     {"jobs/drift_job.py": "def alarm(result, threshold):\n"
                           "    assert result['drift_score'] < threshold\n"},
     "found", "jobs/drift_job.py"),
    ("drift_detection_used",
     {"monitoring/watch.py": "class W:\n    def hit(self):\n"
                             "        if (self.drift_threshold\n                < self.drift):\n"
                             "            page()\n"},
     "found", "monitoring/watch.py"),
    # a comparison assigned or returned on one line
    ("drift_detection_used",
     {"jobs/auto_retrain/data_monitor.py": "class M:\n    def check(self, drift_score):\n"
                                           "        drifted = drift_score > self.drift_threshold\n"
                                           "        return drifted\n"},
     "found", "jobs/auto_retrain/data_monitor.py"),
    ("drift_detection_used",
     {"monitoring/drift.py": "def check(d, THRESHOLD):\n    return d.drift >= THRESHOLD  # alert\n"},
     "found", "monitoring/drift.py"),
    # near miss: the same words in a message
    ("drift_detection_used",
     {"monitoring/drift.py": "def text(THRESHOLD):\n    msg = 'drift > THRESHOLD'\n    return msg\n"},
     None, None),
    # a maximum, a limit, a fraction; a population stability index where the module says drift
    ("drift_detection_used",
     {"monitoring/checks.py": "def ok(drift, MAX_DRIFT):\n    if drift > MAX_DRIFT:\n        page()\n"},
     "found", "monitoring/checks.py"),
    ("drift_detection_used",
     {"monitoring/checks.py": "def ok(d):\n    if d.drift_score > DRIFT_LIMIT:\n        page()\n"},
     "found", "monitoring/checks.py"),
    ("drift_detection_used",
     {"monitoring/checks.py": "def ok(report):\n    if report.drift_share > 0.3:\n        page()\n"},
     "found", "monitoring/checks.py"),
    ("drift_detection_used",
     {"jobs/drift_report.py": "def ok(psi):\n    if psi > 0.25:\n        page()\n"},
     "found", "jobs/drift_report.py"),
    # near misses: a clock's drift against a threshold, a schedule's last run, a pressure in
    # psi in a module that does not say drift, a count held against zero
    ("drift_detection_used",
     {"monitoring/ntp_check.py": "def ok(clock_drift):\n"
                                 "    if clock_drift > MAX_CLOCK_DRIFT_THRESHOLD:\n        page()\n"},
     None, None),
    ("drift_detection_used",
     {"monitoring/scheduler.py": "import time\nclass S:\n    def due(self):\n"
                                 "        if time.time() - self.last_drift_run > self.threshold:\n"
                                 "            run()\n"},
     None, None),
    ("drift_detection_used",
     {"monitoring/tire_monitor.py": "def low(psi):\n    if psi < LOW_PSI_THRESHOLD:\n        warn()\n"},
     None, None),
    ("drift_detection_used",
     {"monitoring/drift.py": "def any_drift(drift_count):\n    if drift_count > 0:\n        page()\n"},
     None, None),
    # near misses: a pressure in psi, epsilon, a clock held against a limit, a threshold that
    # is validated, a docstring or a message that says it, a spatial distance in a module
    # about deskewing or cluster stability (not about drift)
    ("drift_detection_used",
     {"monitoring/sensor_monitor.py": "def check(pressure_psi, PRESSURE_THRESHOLD_PSI):\n"
                                      "    return pressure_psi > PRESSURE_THRESHOLD_PSI\n"},
     None, None),
    ("drift_detection_used",
     {"train/stability.py": "def stop(self, epsilon):\n    return epsilon > self.threshold\n"},
     None, None),
    ("drift_detection_used",
     {"monitoring/clock.py": "def ok(clock_drift):\n    return clock_drift < MAX_CLOCK_DRIFT_LIMIT\n"},
     None, None),
    ("drift_detection_used",
     {"monitoring/config.py": "def check(drift_threshold, MAX_THRESHOLD):\n"
                              "    if drift_threshold > MAX_THRESHOLD:\n        raise ValueError\n"},
     None, None),
    ("drift_detection_used",
     {"monitoring/report.py": '"""Alerts when drift > DRIFT_THRESHOLD."""\n'
                              "DRIFT_THRESHOLD = 0.1\n"
                              "def text():\n    return 'alert if drift > threshold'\n"},
     None, None),
    ("drift_detection_used",
     {"ocr/deskew.py": "from scipy.spatial import distance as dist\n"
                       "def width(a, b):\n    return dist.euclidean(a, b)\n"},
     None, None),
    ("drift_detection_used",
     {"analysis/cluster_stability.py": "from scipy.spatial.distance import pdist, squareform\n"
                                       "def matrix(x):\n    return squareform(pdist(x))\n"},
     None, None),
    ("service_metrics_exported",
     {"app.py": "from prometheus_client import Counter\nC = Counter('c', 'd')\n"}, "found",
     "app.py"),
    ("service_metrics_exported", {"app.py": "import logging\n"}, None, None),
    ("dashboards_defined", {"grafana/dashboards/model.json": '{"title": "m", "panels": []}'},
     "found", "grafana/dashboards/model.json"),
    ("dashboards_defined", {"dashboards/x.json": '{"title": "m"}'}, None, None),
    ("alert_rules_defined", {"monitoring/rules.yml": PROM_RULES}, "found",
     "monitoring/rules.yml"),
    ("alert_rules_defined", {"monitoring/rules.yml": "groups: []\n"}, None, None),
    # a rule file kept as text in the ConfigMap that mounts it, in a Helm chart's template
    ("alert_rules_defined",
     {"charts/obs/Chart.yaml": "name: obs\nversion: 0.1.0\n",
      "charts/obs/templates/rules.yaml": PROM_CONFIGMAP}, "found", "charts/obs/templates/rules.yaml"),
    # near miss: the same ConfigMap with recording rules only (nothing alerts)
    ("alert_rules_defined",
     {"charts/obs/Chart.yaml": "name: obs\nversion: 0.1.0\n",
      "charts/obs/templates/rules.yaml": PROM_CONFIGMAP.replace("- alert: PredictionDrift",
                                                                "- record: drift:rate5m")},
     None, None),
    # the Prometheus chart's values: rule groups under serverFiles
    ("alert_rules_defined",
     {"deploy/prometheus-values.yaml": "serverFiles:\n  alerting_rules.yml:\n"
                                       + textwrap.indent(PROM_RULES, "    ")},
     "found", "deploy/prometheus-values.yaml"),
    # near miss: values that only name an alert in a string (no rule group)
    ("alert_rules_defined",
     {"deploy/values.yaml": "grafana:\n  note: 'alert: none configured yet'\n"}, None, None),
    # hostile: a scrape target list of one long dashed word is read in linear time
    ("service_metrics_exported",
     {"prometheus.yml": "scrape_configs:\n  - targets: " + "-a" * 50_000 + "\n"}, None, None),
    ("prediction_logging_present", {"app/main.py": FASTAPI_SERVE}, "found", "app/main.py"),
    ("prediction_logging_present", {"k8s/isvc.yaml": K8S_ISVC}, "found", "k8s/isvc.yaml"),
    ("prediction_logging_present", {"app/main.py": FASTAPI_NO_MODEL}, None, None),
    ("data_quality_tracked",
     {"q.py": "import whylogs as why\nwhy.log(df).writer('local').write()\n"}, "found", "q.py"),
    ("data_quality_tracked", {"q.py": "import pandas as pd\ndf.describe()\n"}, None, None),
    # infrastructure
    ("infrastructure_as_code", {"infra/main.tf": 'resource "aws_s3_bucket" "b" {}\n'},
     "found", "infra/main.tf"),
    ("infrastructure_as_code",
     {"k8s/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"},
     "found", "k8s/deploy.yaml"),
    ("infrastructure_as_code", {"notes.txt": "terraform apply"}, None, None),
    ("feature_store_used", {"feature_repo/feature_store.yaml": "project: churn\n"}, "found",
     "feature_repo/feature_store.yaml"),
    ("feature_store_used",
     {"f.py": "from feast import FeatureStore\nstore = FeatureStore(repo_path='.')\n"},
     "found", "f.py"),
    ("feature_store_used", {"f.py": "features = {}\n"}, None, None),
    ("slos_defined",
     {"slo.yaml": "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: latency}\n"},
     "found", "slo.yaml"),
    ("slos_defined", {"slo.md": "we want 99.9%"}, None, None),
    ("cost_tracking_configured", {"infra/budget.tf": 'resource "aws_budgets_budget" "ml" {}\n'},
     "found", "infra/budget.tf"),
    ("cost_tracking_configured", {"infra/main.tf": 'resource "aws_s3_bucket" "b" {}\n'},
     None, None),
    # documentation
    ("model_card_present", {"MODEL_CARD.md": "# Model card\n"}, "partial", "MODEL_CARD.md"),
    # a page about the models: its sections need not say "model"
    ("model_card_present",
     {"docs/models.md": "# Models\n\n## Architecture\nA GRU.\n\n## Evaluation\nMAE 1.2\n"},
     "found", "docs/models.md"),
    # near miss: the same sections in a page about the model's deployment API
    ("model_card_present",
     {"docs/model_deployment_api.md": "# Models\n\n## Architecture\nA GRU.\n\n"
                                      "## Evaluation\nMAE 1.2\n"}, None, None),
    # near miss: a page about the models with one aspect only
    ("model_card_present", {"docs/models.md": "# Models\n\n## Architecture\nA GRU.\n"},
     None, None),
    ("model_card_present", {"MODEL_CARD.md": "# Model card\n\n## Intended use\nChurn offers.\n"
                                             "\n## Training data\nBilling exports.\n\n"
                                             "## Evaluation\nAUC 0.81 on hold-out.\n"},
     "found", "MODEL_CARD.md"),
    ("model_card_present", {"README.md": "# Churn\n\n## Model card\n\nIntended use...\n"},
     "found", "README.md"),
    ("model_card_present", {"README.md": "# Churn\n\n## Install\n"}, None, None),
    # a module that writes the card with each model, however deep it lives
    ("model_card_present",
     {"pipeline/components/pusher/model_card.py":
      "from jinja2 import Template\n\ndef write(metrics):\n"
      "    return Template(open('t.md').read()).render(metrics=metrics)\n"},
     "found", "pipeline/components/pusher/model_card.py"),
    # near misses: its test; an empty module of that name
    ("model_card_present",
     {"tests/test_model_card.py": "from card import write\n\ndef test_w():\n    write({})\n"},
     None, None),
    ("model_card_present", {"src/model_card.py": "TITLE = 'Churn'\n"}, None, None),
    ("model_card_present",
     {"src/model_card.py": "from dataclasses import dataclass, field\n\n@dataclass\n"
                           "class ModelCard:\n    tags: list = field(default_factory=list)\n"},
     None, None),
    ("model_card_present",
     {"src/model_cardinality.py": "def count(xs):\n    return len(set(xs))\n"}, None, None),
    # a card kept as a document, exported from a card toolkit or a platform
    ("model_card_present", {"reports/Model-Card-Churn-GBM.pdf": "%PDF-1.7\n"},
     "found", "reports/Model-Card-Churn-GBM.pdf"),
    ("model_card_present", {"docs/model_card.docx": "PK\x03\x04"}, "found", "docs/model_card.docx"),
    # near misses: a report of another name; a card document of a test; a cardinality study
    ("model_card_present", {"reports/evaluation_report.pdf": "%PDF-1.7\n"}, None, None),
    ("model_card_present", {"tests/fixtures/model_card.pdf": "%PDF-1.7\n"}, None, None),
    ("model_card_present", {"docs/model_cardinality.pdf": "%PDF-1.7\n"}, None, None),
    # an HTML page of that name is a web component or a coverage page, not a card
    ("model_card_present",
     {"frontend/src/app/model-card/model-card.component.html": "<div>{{ card }}</div>\n"},
     None, None),
    ("data_card_present", {"DATA_CARD.md": "# Data\n"}, "partial", "DATA_CARD.md"),  # a name
    ("data_card_present", {"DATA_CARD.md": "# Data\n\n- Source: billing export, nightly.\n"
                                           "- Owner: data platform team.\n"
                                           "- Licence: internal use only.\n"}, "found",
     "DATA_CARD.md"),
    ("data_card_present",
     {"data/README.md": "Source: billing export. Owner: data team. Licence: internal.\n"},
     "found", "data/README.md"),
    ("data_card_present", {"data/README.md": "files go here\n"}, "partial", "data/README.md"),
    ("data_card_present", {"README.md": "# x\n"}, None, None),
    ("workflow_documented", {"CONTRIBUTING.md": "# How to contribute\n"}, "found",
     "CONTRIBUTING.md"),
    ("workflow_documented", {"README.md": "# x\n## Usage\n"}, None, None),
    ("release_process_documented", {"RELEASE.md": "# Releasing\n"}, "found", "RELEASE.md"),
    ("release_process_documented", {"README.md": "# x\n## Usage\n"}, None, None),
    ("roles_documented", {"MAINTAINERS": "alice: release lead\n"}, "found", "MAINTAINERS"),
    ("roles_documented", {"README.md": "# x\n## Roles and responsibilities\n"}, "found",
     "README.md"),
    ("roles_documented", {"README.md": "# x\n## Usage\n"}, None, None),
    ("postmortems_recorded", {"docs/postmortems/2026-01-drift.md": "# Incident\n"}, "found",
     "docs/postmortems/2026-01-drift.md"),
    ("postmortems_recorded", {"docs/design.md": "# Design\n"}, None, None),
    ("retrospectives_recorded", {"team/retros/2026-10.md": "# Retro\n"}, "found",
     "team/retros/2026-10.md"),
    ("retrospectives_recorded", {"team/notes.md": "# Notes\n"}, None, None),
    # collaboration
    ("codeowners_present", {".github/CODEOWNERS": "* @team\n"}, "found", ".github/CODEOWNERS"),
    ("codeowners_present", {"src/CODEOWNERS": "* @team\n"}, None, None),
    ("pr_template_present", {".github/pull_request_template.md": "## Checklist\n"}, "found",
     ".github/pull_request_template.md"),
    ("pr_template_present", {".github/ISSUE_TEMPLATE/bug.md": "bug\n"}, None, None),
    ("pre_commit_configured", {".pre-commit-config.yaml": "repos: []\n"}, "found",
     ".pre-commit-config.yaml"),
    ("pre_commit_configured", {"setup.cfg": "[flake8]\n"}, None, None),
    ("dependency_updates_automated", {".github/dependabot.yml": "version: 2\n"}, "found",
     ".github/dependabot.yml"),
    ("dependency_updates_automated", {".github/other.yml": "version: 2\n"}, None, None),
    ("project_template_used", {".cruft.json": "{}"}, "found", ".cruft.json"),
    ("project_template_used", {"template.txt": ""}, None, None),
    # evaluation
    ("baseline_comparison_present",
     {"evaluate.py": "from sklearn.dummy import DummyClassifier\nb = DummyClassifier()\n"},
     "found", "evaluate.py"),
    ("baseline_comparison_present", {"evaluate.py": "import sklearn\nprint('baseline (todo)')\n"},
     None, None),
    ("validation_gate_present",
     {"evaluate.py": "import sys\nfrom sklearn.metrics import roc_auc_score\n"
                     "auc = roc_auc_score(y, p)\nif auc < 0.8:\n    sys.exit(1)\n"}, "found",
     "evaluate.py"),
    ("validation_gate_present", {"evaluate.py": "auc = 0.7\nprint(auc)\n"}, None, None),
    ("champion_challenger_present",
     {"promote.py": "from mlflow import MlflowClient\n"
                    "MlflowClient().set_registered_model_alias('m', 'challenger', 4)\n"},
     "found", "promote.py"),
    ("champion_challenger_present", {"promote.py": "import mlflow\n"}, None, None),
    # delivery
    ("progressive_delivery_configured", {"k8s/isvc.yaml": K8S_ISVC}, "found", "k8s/isvc.yaml"),
    ("progressive_delivery_configured",
     {"k8s/d.yaml": "apiVersion: apps/v1\nkind: Deployment\n"}, None, None),
    ("rollback_supported", {".github/workflows/d.yml": GHA_DEPLOY}, "found",
     ".github/workflows/d.yml"),
    ("rollback_supported", {".github/workflows/ci.yml": GHA_TEST}, None, None),
    # a job named for a rollback (a hint that narrows the rollback question, never credited)
    ("rollback_job_named", {"azure-pipelines.yml": AZURE_ROLLBACK}, "found",
     "azure-pipelines.yml"),
    ("rollback_job_named",
     {".github/workflows/d.yml": "on: push\njobs:\n  deploy:\n    steps:\n"
                                 "      - name: Revert model alias\n        run: ./alias.sh\n"},
     "found", ".github/workflows/d.yml"),
    # near misses: a rollout, and a word that merely contains "rollback"-like letters
    ("rollback_job_named",
     {"azure-pipelines.yml": AZURE_ROLLBACK.replace("Roll_Back", "Roll_Out")}, None, None),
    ("rollback_job_named",
     {".github/workflows/d.yml": "on: push\njobs:\n  scrollbackup:\n    steps:\n"
                                 "      - run: helm upgrade churn ./chart\n"}, None, None),
    ("delivery_metrics_tracked",
     {".github/workflows/dora.yml": "on: push\njobs:\n  m:\n    steps:\n"
                                    "      - run: python compute_dora_metrics.py\n"},
     "found", ".github/workflows/dora.yml"),
    ("delivery_metrics_tracked", {".github/workflows/ci.yml": GHA_TEST}, None, None),
    # warehouse data
    ("warehouse_data_used",
     {"load.py": "from google.cloud import bigquery\nclient = bigquery.Client()\n"},
     "found", "load.py"),
    ("warehouse_data_used", {"load.py": "from google.cloud import bigquery\n"}, None, None),
    # project kind
    ("repo_is_ml_tool_source",
     {"pyproject.toml": "[project]\nname = 'mlflow'\n", "mlflow/__init__.py": ""}, "info",
     "pyproject.toml"),
    ("repo_is_ml_tool_source", {"pyproject.toml": "[project]\nname = 'churn'\n"}, None, None),
    # seen only in git history (its positive cases are in tests/live): a work tree, even with
    # a retraining schedule and a drift threshold, shows nothing of a revision
    ("retraining_policy_revised", {
        ".github/workflows/retrain.yml": "on:\n  schedule:\n    - cron: '0 3 * * 1'\n",
        "monitoring/drift.yaml": "drift_share: 0.3\n"}, None, None),
    ("training_code_present",
     {"train.py": "from sklearn.linear_model import LogisticRegression\n"
                  "m = LogisticRegression().fit(X, y)\n"}, "found", "train.py"),
    ("training_code_present", {"predict.py": "import sklearn\nm.predict(X)\n"}, None, None),
]


@pytest.mark.parametrize(("detector", "files", "outcome", "where"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_detector_case(make_repo: MakeRepo, detector: str, files: dict[str, str | bytes],
                       outcome: str | None, where: str | None) -> None:
    tree = RepoTree(make_repo(files))
    findings = REGISTRY[detector].detect(tree)
    if outcome is None:
        assert findings == [], f"{detector} should find nothing, found {findings}"
        return
    assert findings, f"{detector} found nothing"
    assert findings[0].detector == detector
    assert findings[0].outcome.value == outcome
    if where is not None:
        assert findings[0].file == where
        assert findings[0].line is not None and findings[0].line >= 1


def test_every_detector_has_positive_and_negative_cases() -> None:
    positive = {c[0] for c in CASES if c[2] is not None}
    negative = {c[0] for c in CASES if c[2] is None}
    assert set(REGISTRY) - positive - {"retraining_policy_revised"} == set()
    assert set(REGISTRY) - negative - {"code_under_version_control"} == set()


def test_tutorial_folder_finding_is_marked(make_repo: MakeRepo) -> None:
    tree = RepoTree(make_repo({"examples/quickstart/train.py": MLFLOW_TRAIN}))
    findings = REGISTRY["experiment_tracking_used"].detect(tree)
    assert findings and findings[0].context.value == "tutorial"


def test_ml_tool_source_does_not_credit_its_own_imports(make_repo: MakeRepo) -> None:
    files: dict[str, str | bytes] = {
        "pyproject.toml": "[project]\nname = 'mlflow'\n",
        "mlflow/__init__.py": "",
        "mlflow/tracking/fluent.py": "import mlflow\nmlflow.log_metric('a', 1)\n",
    }
    tree = RepoTree(make_repo(files))
    assert REGISTRY["experiment_tracking_used"].detect(tree) == []


def test_notebook_finding_points_at_the_cell_line(make_repo: MakeRepo) -> None:
    root = make_repo({"nb.ipynb": NOTEBOOK})
    finding = REGISTRY["experiment_tracking_used"].detect(RepoTree(root))[0]
    lines = (root / "nb.ipynb").read_text().splitlines()
    assert "wandb.init" in lines[finding.line - 1]  # type: ignore[operator]


def test_detector_line_numbers_point_at_the_evidence(make_repo: MakeRepo) -> None:
    root = make_repo({"train.py": MLFLOW_TRAIN})
    finding = REGISTRY["model_registry_used"].detect(RepoTree(root))[0]
    line = Path(root / "train.py").read_text().splitlines()[finding.line - 1]  # type: ignore[operator]
    assert "registered_model_name" in line


@pytest.mark.parametrize(("source", "pattern", "hit"), [
    ("import mlflow as mf\nmf.log_metric('a', 1)\n", "mlflow.log_*", True),
    ("from mlflow import log_param\nlog_param('a', 1)\n", "mlflow.log_*", True),
    ("import mlflow\nmlflow.set_tag('a', 1)\n", "mlflow.log_*", False),
    ("import great_expectations as gx\nv = ctx.get_validator()\n"
     "v.expect_column_values_to_not_be_null('x')\n", ".expect_*", True),
    ("from mlflow import MlflowClient\nMlflowClient().create_registered_model('m')\n",
     ".create_registered_model", True),
    ("import sagemaker\nsagemaker.workflow.steps.TrainingStep('t')\n",
     "sagemaker.workflow.steps.", True),
    # a method of a subscripted frame or mapping is a method call too
    ("import pandas as pd\ndf = pd.read_csv('x')\nassert not df['age'].isna().any()\n",
     ".isna", True),
    ("models = {}\nmodels['churn'].fit(X, y)\n", ".fit", True),
    ("import os\nos.environ['A'].split(',')\n", "os.environ.", False),
])
def test_call_patterns_resolve_through_imports(source: str, pattern: str, hit: bool) -> None:
    from mlkaizen.evidence.parse.python_src import parse_python

    assert bool(parse_python(source).find_calls((pattern,))) is hit


EXTRA_CASES: list[tuple[str, Files, str | None, str | None]] = [
    ("pipeline_defined", {"MLproject": "name: x\nentry_points:\n  main:\n"
                                       "    parameters: {alpha: float}\n"
                                       "    command: python train.py --alpha {alpha}\n"},
     "found", "MLproject"),
    ("training_in_pipeline", {"MLproject": "name: x\nentry_points:\n  main:\n"
                                           "    command: python train.py\n"},
     "found", "MLproject"),
    ("params_file_present", {"conf/base/parameters.yml": "lr: 0.1\n"}, "found",
     "conf/base/parameters.yml"),
    ("data_card_present", {"README.md": "# Project\n\n## Dataset\n\nFrom Kaggle.\n"},
     "partial", "README.md"),
    ("roles_documented", {"README.md": "# Project\n\n## Team\n\nAnn, Bo\n"}, None, None),
    ("release_process_documented", {"CHANGELOG.md": "# 1.0\n"}, None, None),
    ("repo_is_ml_tool_source",
     {"pyproject.toml": "[project]\nname = 'lightning'\n", "src/lightning/__init__.py": ""},
     "info", "pyproject.toml"),
]


@pytest.mark.parametrize(("detector", "files", "outcome", "where"), EXTRA_CASES,
                         ids=[f"{c[0]}-extra{i}" for i, c in enumerate(EXTRA_CASES)])
def test_detector_extra_case(make_repo: MakeRepo, detector: str, files: dict[str, str | bytes],
                             outcome: str | None, where: str | None) -> None:
    test_detector_case(make_repo, detector, files, outcome, where)


def test_templated_files_are_skipped_quietly(make_repo: MakeRepo) -> None:
    from mlkaizen.evidence.detectors.documents import yaml_documents

    root = make_repo({
        "chart/templates/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\n"
                                       "spec:\n  replicas: {{ .Values.replicas }}\n{{- end }}\n",
        "{{cookiecutter.slug}}/train.py": "import {{ cookiecutter.pkg }}\n",
    })
    tree = RepoTree(root)
    yaml_documents(tree)
    tree.python("{{cookiecutter.slug}}/train.py")
    assert tree.warnings == []
    assert tree.skipped["template"] == 2


def test_ci_steps_are_judged_by_the_scripts_they_run(make_repo: MakeRepo) -> None:
    root = make_repo({
        ".github/workflows/w.yml": "on: pull_request\njobs:\n  w:\n    steps:\n"
                                   "      - run: anyscale jobs submit deploy/jobs/work.yaml\n",
        "deploy/jobs/work.yaml": "name: work\nentrypoint: bash deploy/jobs/work.sh\n",
        "deploy/jobs/work.sh": "#!/bin/bash\npytest tests/code\npython madewithml/train.py\n",
    })
    tree = RepoTree(root)
    assert REGISTRY["tests_run_in_ci"].detect(tree)
    assert REGISTRY["training_runs_in_ci"].detect(tree)


MORE_CASES: list[tuple[str, Files, str | None, str | None]] = [
    ("experiment_tracking_used",
     {"ft.py": "from transformers import TrainingArguments\n"
               "args = TrainingArguments('out', report_to='wandb')\n"}, "found", "ft.py"),
    ("experiment_tracking_used",
     {"ft.py": "from transformers import TrainingArguments\n"
               "args = TrainingArguments('out', report_to='none')\n"}, None, None),
    ("experiment_tracking_used",
     {"tune.py": "from ray.air.integrations.mlflow import MLflowLoggerCallback\n"
                 "cb = MLflowLoggerCallback(experiment_name='x')\n"}, "found", "tune.py"),
    ("model_tests_present",
     {"tests/model/test_behavioral.py": "def test_b(clf, x):\n    assert clf.predict(x)\n"},
     "found", "tests/model/test_behavioral.py"),
    ("data_tests_present",
     {"tests/data/test_checks.py": "import pandas as pd\ndef test_c(df):\n"
                                   "    assert not pd.read_csv('d.csv').duplicated().any()\n"},
     "found", "tests/data/test_checks.py"),
    ("baseline_comparison_present",
     {".github/workflows/cml.yaml": "on: pull_request\njobs:\n  r:\n    steps:\n"
                                    "      - run: dvc plots diff main workspace\n"},
     "found", ".github/workflows/cml.yaml"),
    ("model_packaged", {"train.py": "from mlem.api import save\nsave(clf, 'model')\n"},
     "found", "train.py"),
    ("params_file_present", {"config/train_gpt2.py": "batch_size = 12\n"}, "found",
     "config/train_gpt2.py"),
    # a config group's file in a conf/ folder, whatever its name, with two hyperparameters
    ("params_file_present",
     {"conf/model/xgboost.yaml": "model_params:\n  n_estimators: 500\n  max_depth: 6\n"},
     "found", "conf/model/xgboost.yaml"),
    # near misses: a conf/ file with one hyperparameter, one with none
    ("params_file_present",
     {"conf/model/xgboost.yaml": "model_params:\n  max_depth: 6\n  objective: reg\n",
      "conf/logging.yaml": "version: 1\nroot:\n  level: INFO\n"},
     None, None),
    ("params_file_present", {"configs/__init__.py": ""}, None, None),
    # a configuration file named for it that gives two hyperparameters numbers, wherever it is
    ("params_file_present",
     {"project_config.yaml": "catalog: main\nparameters:\n  learning_rate: 0.01\n"
                             "  max_depth: 6\n"}, "found", "project_config.yaml"),
    # near misses: one hyperparameter; values from the environment; a CI file; a manifest
    ("params_file_present", {"project_config.yaml": "parameters:\n  learning_rate: 0.01\n"},
     None, None),
    ("params_file_present",
     {"train_config.yml": "lr: ${LR}\nepochs: ${EPOCHS}\n"}, None, None),
    ("params_file_present",
     {".github/workflows/train-config.yml": "env:\n  lr: 0.1\n  epochs: 3\n"}, None, None),
    ("params_file_present",
     {".circleci/config.yml": "version: 2.1\njobs:\n  train:\n    docker:\n"
                              "      - image: python:3.11\n    environment:\n"
                              "      epochs: 1\n      batch_size: 8\n"
                              "    steps:\n      - run: python train.py\n"}, None, None),
    ("params_file_present",
     {"k8s/deployment.yaml": "spec:\n  replicas: 2\n  epochs: 3\n  lr: 0.1\n"}, None, None),
    # the split and the seed kept in a settings module are training settings too
    ("params_file_present",
     {"src/config.py": "TEST_SIZE = 0.2\nRANDOM_STATE = 42\nTARGET = 'label'\n"},
     "found", "src/config.py"),
    # near miss: a settings module with the seed alone
    ("params_file_present",
     {"src/config.py": "RANDOM_STATE = 42\nTARGET = 'label'\nBUCKET = 'data'\n"}, None, None),
]


@pytest.mark.parametrize(("detector", "files", "outcome", "where"), MORE_CASES,
                         ids=[f"{c[0]}-more{i}" for i, c in enumerate(MORE_CASES)])
def test_detector_more_case(make_repo: MakeRepo, detector: str, files: dict[str, str | bytes],
                            outcome: str | None, where: str | None) -> None:
    test_detector_case(make_repo, detector, files, outcome, where)


def test_object_store_uri_in_code_is_shared_storage(make_repo: MakeRepo) -> None:
    root = make_repo({"src/load.py": "import pandas as pd\n\n"
                                     "df = pd.read_parquet('s3://acme-data/churn/train.parquet')\n",
                      "tests/test_x.py": "URL = 'http://localhost:5000/'\n"})
    findings = REGISTRY["data_remote_storage_configured"].detect(RepoTree(root))
    assert [(f.file, f.line) for f in findings] == [("src/load.py", 3)]


NON_ML_CASES: list[tuple[str, Files, str | None, str | None]] = [
    # a non-ML module named like evaluation code is not model evaluation
    ("baseline_comparison_present",
     {"compare.py": "import json\n\ndef compare(a, b):\n    return load_baseline(a)\n"},
     None, None),
    ("validation_gate_present",
     {"evaluate.py": "import sys\nscore = 1\nif score < 2:\n    sys.exit(1)\n"}, None, None),
    # URIs in tests are fixtures, not the project's storage
    ("data_remote_storage_configured",
     {"tests/test_io.py": "URL = 's3://bucket/data.csv'\n"}, "found", "tests/test_io.py"),
]


@pytest.mark.parametrize(("detector", "files", "outcome", "where"), NON_ML_CASES,
                         ids=[f"{c[0]}-nonml{i}" for i, c in enumerate(NON_ML_CASES)])
def test_detector_non_ml_case(make_repo: MakeRepo, detector: str, files: dict[str, str | bytes],
                              outcome: str | None, where: str | None) -> None:
    test_detector_case(make_repo, detector, files, outcome, where)


def test_findings_only_in_tests_are_not_credited(make_repo: MakeRepo) -> None:
    from mlkaizen import assess

    a = assess(make_repo({"tests/test_io.py": "URL = 's3://bucket/data.csv'\n"}))
    practice = a.practice("data.shared-storage")
    assert practice is not None and practice.state.value == "unknown"
    assert "seen only in test folders" in practice.note


def _one_pattern(name: str, pattern: str) -> bool:
    """The documented meaning of one call pattern, pattern by pattern (the reference)."""
    if pattern.startswith(".") and pattern.endswith("*"):
        return name.rsplit(".", 1)[-1].startswith(pattern[1:-1])
    if pattern.startswith("."):
        return name.endswith(pattern) or name == pattern[1:]
    if pattern.endswith("*"):
        return name.startswith(pattern[:-1])
    if pattern.endswith("."):
        return name.startswith(pattern)
    return name == pattern


_NAME_PARTS = st.sampled_from(["mlflow", "log", "log_metric", "fit", "x", "expect_", "a.b", ""])


@settings(max_examples=400, deadline=None)
@given(names=st.lists(st.lists(_NAME_PARTS, min_size=1, max_size=3).map(".".join), max_size=6),
       patterns=st.lists(st.builds(lambda p, s, b: p + b + s, st.sampled_from(["", "."]),
                                   st.sampled_from(["", "*", "."]), _NAME_PARTS),
                         max_size=5))
def test_the_combined_call_matcher_agrees_with_each_pattern(names: list[str],
                                                            patterns: list[str]) -> None:
    from mlkaizen.evidence.parse.python_src import name_matcher

    match = name_matcher(tuple(patterns))
    for name in names:
        assert match(name) is any(_one_pattern(name, p) for p in patterns), (name, patterns)


_URI_PARTS = st.sampled_from(['"', "'", "s3", "s3a", "gs", "abfss", "az", "hdfs", "wasbs", "://",
                              "dbfs:/", "/dbfs/", ".whl", ":/", "https", "x", "/", "{b}", " ",
                              "\n", "é"])


@settings(max_examples=500, deadline=None)
@given(parts=st.lists(_URI_PARTS, max_size=12))
def test_the_object_store_prefilter_never_hides_a_match(parts: list[str]) -> None:
    from mlkaizen.evidence.detectors.data_versioning import _CODE_URI, _object_store_uri_possible

    text = "".join(parts)
    if _CODE_URI.search(text):
        assert _object_store_uri_possible(text), text


@pytest.mark.parametrize(("text", "possible"), [
    ('df = pd.read_csv("s3://bucket/train.csv")', True),
    ("path = f'gs://{bucket}/data'", True),
    ('spark.read.load("dbfs:/mnt/raw")', True),
    ('url = "https://s3.amazonaws.com/bucket/x"', False),  # near miss: https, not s3
    ('"mys3://x/y"', True),  # the test is loose; the pattern then decides (no match)
    ("no uri at all", False),
    ("PATH = '/dbfs/FileStore/shared_uploads/reviews'", True),  # the DBFS mount
])
def test_the_object_store_prefilter(text: str, possible: bool) -> None:
    from mlkaizen.evidence.detectors.data_versioning import _CODE_URI, _object_store_uri_possible

    assert _object_store_uri_possible(text) is possible
    assert bool(_CODE_URI.search(text)) is (possible and "mys3" not in text)


@pytest.mark.parametrize(("text", "data"), [
    ("PATH = '/dbfs/FileStore/shared_uploads/reviews'", True),
    ('df = spark.read.csv(f"/dbfs/mnt/{env}/raw.csv")', True),
    # near misses: a library installed from DBFS; a folder merely named dbfs; macOS disks
    ('code_path=["/dbfs/upload/pkg-0.0.1-py3-none-any.whl"]', False),
    ('libs = ["/dbfs/libs/x.jar"]', False),
    ("root = './dbfs_cache/x'", False),
    ("p = '/Volumes/Seagate/data/train.csv'", False),
])
def test_the_databricks_file_system_is_shared_storage(text: str, data: bool) -> None:
    from mlkaizen.evidence.detectors.data_versioning import _CODE_URI

    assert bool(_CODE_URI.search(text)) is data, text


def test_search_files_prefilters_only_spare_texts_that_cannot_match(tmp_path: Path) -> None:
    import re

    from mlkaizen.evidence.detectors.text_search import search_files

    root = write_tree(tmp_path / "r", {"a.py": "x = 1\ncfg = {'modelMonitoringConfig': {}}\n",
                                       "b.py": "cfg = {'model_config': {}}\n"})
    pattern = re.compile(r"[\"']modelMonitoringConfig[\"']")
    for prefilter in (None, "onitoring", lambda text: "Monitoring" in text):
        found = search_files(RepoTree(root), "d", ["a.py", "b.py"], pattern, lambda m: "hit",
                             prefilter=prefilter)
        assert [(f.file, f.line) for f in found] == [("a.py", 2)], prefilter
    assert search_files(RepoTree(root), "d", ["a.py"], pattern, lambda m: "hit",
                        prefilter="absent") == []


def test_the_fast_visitor_gives_what_the_standard_visitor_gives() -> None:
    """The Python facts visitor skips leaves and caches its dispatch; the reference is the
    same visitor run by :class:`ast.NodeVisitor`'s own ``visit`` and ``generic_visit``."""
    import ast

    from mlkaizen.evidence.parse import python_src

    class Reference(python_src._Visitor):
        visit = ast.NodeVisitor.visit  # type: ignore[assignment]
        generic_visit = ast.NodeVisitor.generic_visit  # type: ignore[assignment]

    project = Path(__file__).resolve().parents[2]
    sources = sorted([*(project / "src").rglob("*.py"), *(project / "tests").rglob("*.py"),
                      *(project / "examples").rglob("*.py")])
    assert len(sources) > 200
    for path in sources:
        module = ast.parse(path.read_text(encoding="utf-8"))
        reference = Reference()
        reference.visit(module)
        assert python_src.facts_of(module) == reference.facts, path


_ORIGINAL_HANDLER = __import__("re").compile(
    r"^[ \t]*def\s+(\w+)\s*\(\s*(?:event|cloud_event|req)\b[^)]*(?:context)?[^)]*\)"
    r"|@functions_framework\.(?:cloud_event|http)|\bfunc\.\w+Trigger\b|@app\.\w+_trigger",
    __import__("re").MULTILINE,
)
_HANDLER_PARTS = st.sampled_from(["def", "xdef", " ", "\t", "\n", "handler", "(", ")", "event",
                                  "req", "context", ", ", "@functions_framework.", "http", "x",
                                  "func.", "Blob", "Trigger", "@app.", "blob_trigger", "é", "_"])


@settings(max_examples=1500, deadline=None)
@given(parts=st.lists(_HANDLER_PARTS, max_size=14))
def test_the_event_handler_test_agrees_with_one_anchored_pattern(parts: list[str]) -> None:
    from mlkaizen.evidence.detectors.handlers import has_event_handler

    text = "".join(parts)
    assert has_event_handler(text) is bool(_ORIGINAL_HANDLER.search(text)), text


@pytest.mark.parametrize(("text", "found"), [
    ("def handler(event, context):\n    pass\n", True),
    ("    def main(req: func.HttpRequest):\n", True),
    ("x = 1; def handler(event, context): pass\n", False),  # not at a line's start
    ("@functions_framework.cloud_event\ndef run(e):\n", True),
    ("import azure.functions as func\nmyfunc.BlobTrigger\n", False),  # not the func. module
    ("@bp.schedule\n@app.timer_trigger(schedule='0 * * * *')\n", True),
])
def test_event_handlers(text: str, found: bool) -> None:
    from mlkaizen.evidence.detectors.handlers import has_event_handler

    assert has_event_handler(text) is found


def _import_roots_at_every_line_start(source: str) -> frozenset[str]:
    """The import pre-pass as first written: one pattern tried at every line start."""
    import re

    from mlkaizen.evidence.parse.python_src import roots_of_import

    pattern = re.compile(
        r"^[ \t]*(?:from[ \t]+([A-Za-z_][\w.]*)[ \t]+import|import[ \t]+([A-Za-z_][\w., \t]*))",
        re.MULTILINE,
    )
    return frozenset(root for match in pattern.finditer(source)
                     for root in roots_of_import(match))


_IMPORT_WORDS = st.sampled_from([
    "import", "from", " ", "\t", "\n", "\r", "\r\n", "\x0c", "\x85", "os", "a.b", ",", " as ",
    "x", "(", "#", "é", "_", "1",
])


@settings(max_examples=2000, deadline=None)
@given(st.lists(_IMPORT_WORDS, max_size=14).map("".join))
def test_the_import_prepass_finds_what_the_pattern_at_every_line_start_did(source: str) -> None:
    from mlkaizen.evidence.parse.python_src import import_roots

    assert import_roots(source) == _import_roots_at_every_line_start(source)


def test_calls_in_a_decorators_arguments_are_calls_of_the_module() -> None:
    from mlkaizen.evidence.parse.python_src import parse_python

    facts = parse_python(
        "from zenml import Model, pipeline, step\n"
        "@pipeline(model=Model(name='churn'), settings={'docker': dict(parent_image='x')})\n"
        "def training():\n    pass\n"
        "@step\ndef load():\n    pass\n")
    assert [(c.name, c.line) for c in facts.calls] == [("zenml.Model", 2), ("dict", 2)]
    assert [c.name for c in facts.decorators] == ["zenml.pipeline", "zenml.step"]
    # the decorator itself stays a decorator, never a call
    assert "zenml.pipeline" not in {c.name for c in facts.calls}


def test_a_zenml_model_declared_on_the_pipeline_is_its_registry(make_repo: MakeRepo) -> None:
    root = make_repo({"pipelines/training.py": (
        "from zenml import Model, pipeline, step\n"
        "@step\ndef train() -> None:\n    pass\n"
        "@pipeline(model=Model(name='churn', version='production'))\n"
        "def training():\n    train()\n")})
    got = REGISTRY["model_registry_used"].detect(RepoTree(root))
    assert [(f.file, f.line) for f in got] == [("pipelines/training.py", 5)]
