"""Practice signals as real repositories write them, each with its near miss: data tests,
pinned environments, parameter files, model documentation, model tests in CI, configured
experiment loggers, data versioning that is really model versioning."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlkaizen.evidence.detectors import REGISTRY
from mlkaizen.evidence.parse.requirements import is_pinned
from mlkaizen.evidence.tree import RepoTree
from tests.conftest import MakeRepo


def results(root: Path, detector: str) -> list[tuple[str, int | None, str, str]]:
    return sorted(
        (f.file or "", f.line, f.outcome.value, f.detail)
        for f in REGISTRY[detector].detect(RepoTree(root))
    )


# ------------------------------------------------------------------ data versioning
def test_a_dvc_pointer_to_a_trained_model_is_not_data_versioning(make_repo: MakeRepo) -> None:
    model = "outs:\n- md5: c2f5\n  path: best-checkpoint.ckpt\n"
    data = "outs:\n- md5: a1b2\n  path: train.csv\n"
    root = make_repo({".dvc/config": "", "dvcfiles/trained_model.dvc": model})
    assert results(root, "dvc_tracks_data") == [
        (".dvc/config", 1, "partial", "DVC tracks trained models only (1 pointer), no data yet")
    ]
    root = make_repo({".dvc/config": "", "dvcfiles/trained_model.dvc": model,
                      "data/train.csv.dvc": data})
    assert results(root, "dvc_tracks_data") == [
        ("data/train.csv.dvc", 1, "found", "DVC pointer for data/train.csv")
    ]


# ------------------------------------------------------------------ data tests
GE_TEST = """\
def test_dataset(df):
    df.expect_column_values_to_not_be_null(column="tag")
    df.expect_column_values_to_be_unique(column="id")
"""
NUMPY_TEST = """\
import numpy as np
import pandas as pd

def test_check_missing_values():
    dataset = pd.read_csv("data/missing.csv")
    assert np.sum(np.isnan(dataset.values)) > 0
"""


@pytest.mark.parametrize(("source", "is_data_test"), [
    (GE_TEST, True),  # expectations on a dataset a fixture built
    (NUMPY_TEST, True),  # a data file read and checked for missing values
    # numpy.isnan on arrays the test computed: a numeric test, not a data test
    (NUMPY_TEST.replace('pd.read_csv("data/missing.csv")', "pd.DataFrame([[1.0]])"), False),
    # an expect-like helper of the project's own
    ("def test_x(client):\n    client.expected_columns()\n", False),
])
def test_data_tests(make_repo: MakeRepo, source: str, is_data_test: bool) -> None:
    root = make_repo({"tests/data/test_dataset.py": source})
    found = [f for f, *_ in results(root, "data_tests_present")]
    assert found == (["tests/data/test_dataset.py"] if is_data_test else [])


def test_zenml_data_validators_and_evidently_comparison_steps(make_repo: MakeRepo) -> None:
    profiler = (
        "from zenml import step\n"
        "from zenml.integrations.whylogs.data_validators.whylogs_data_validator import (\n"
        "    WhylogsDataValidator,\n)\n"
    )
    batch = (
        "from zenml import pipeline\n"
        "from zenml.integrations.evidently.metrics import EvidentlyMetricConfig\n"
        "from zenml.integrations.evidently.steps import evidently_report_step\n"
        "@pipeline\n"
        "def batch_inference():\n"
        "    report, _ = evidently_report_step(reference_dataset=ref,\n"
        "                                      comparison_dataset=df_inference)\n"
        "    other, _ = evidently_report_step(reference_dataset=ref)\n"
    )
    root = make_repo({"steps/data_profiler.py": profiler, "pipelines/batch.py": batch})
    assert results(root, "data_validation_library_used") == [
        ("steps/data_profiler.py", 2, "found", "ZenML data validator: imports "
         "zenml.integrations.whylogs.data_validators.whylogs_data_validator")
    ]
    assert results(root, "drift_detection_used") == [
        ("pipelines/batch.py", 6, "found", "Evidently (ZenML step): "
         "zenml.integrations.evidently.steps.evidently_report_step()")
    ]


# ------------------------------------------------------------------ reproducibility
@pytest.mark.parametrize(("spec", "pinned"), [
    ("numpy==1.26.4", True),
    ("numpy==1.26.*", True),  # one patch series
    ("numpy~=1.26.4", True),
    ("numpy~=1.26", False),  # any 1.x from 1.26 on
    ("numpy==1.*", False),
    ("numpy>=1.26.4", False),
    ("numpy", False),
])
def test_what_counts_as_a_pin(spec: str, pinned: bool) -> None:
    assert is_pinned(spec) is pinned


def test_conda_files_are_known_by_their_content(make_repo: MakeRepo) -> None:
    env = ("name: ci\ndependencies:\n  - python=3.7.*\n  - numpy=1.18.*\n  - pandas=1.0.5\n"
           "  - pip:\n      - pytest==5.4.*\n      - flake8==3.7.9\n")
    root = make_repo({
        "diabetes/ci_dependencies.yml": env,
        "env.yml": "channels: [conda-forge]\ndependencies: [numpy>=1.20, pandas]\n",
        "mlops/job.yml": "dependencies: [train, evaluate]\n",  # neither name nor channels
    })
    assert results(root, "dependencies_pinned") == [
        ("diabetes/ci_dependencies.yml", 1, "found", "all 4 dependencies pinned"),
    ]


def test_parameter_files_and_settings_modules(make_repo: MakeRepo) -> None:
    defaults = ('"""Defaults."""\n\nHIDDEN_UNITS = [64, 32]\nLEARNING_RATE = 0.0001\n'
                "BATCH_SIZE = 512\n")
    dataclass_config = ("from dataclasses import dataclass\n@dataclass\nclass Train:\n"
                        "    learning_rate: float = 3e-4\n    max_epochs: int = 10\n")
    root = make_repo({
        "diabetes/parameters.json": '{"training": {"alpha": 0.4}}',
        "src/model_training/defaults.py": defaults,
        "src/config.py": dataclass_config,
        # near misses: one hyperparameter only; hyperparameters in a module not kept for them
        "web/settings.py": "DEBUG = True\nBATCH_SIZE = 10\n",
        "src/train.py": "LEARNING_RATE = 0.1\nBATCH_SIZE = 32\n",
    })
    assert results(root, "params_file_present") == [
        ("diabetes/parameters.json", 1, "found", "parameters file"),
        ("src/config.py", 4, "found",
         "hyperparameters kept in a settings module (learning_rate, max_epochs)"),
        ("src/model_training/defaults.py", 3, "found",
         "hyperparameters kept in a settings module (batch_size, hidden_units, learning_rate)"),
    ]


# ------------------------------------------------------------------ model documentation
def test_a_readme_on_two_aspects_of_the_model_documents_it(make_repo: MakeRepo) -> None:
    model_readme = ("# XGBoost Pipelines\n## Training pipeline\n## The XGBoost Model\n"
                    "### Model Hyperparameters\ntext\n### Model test/evaluation\ntext\n")
    project_readme = "# Churn\n## Setup\n## Model evaluation\nRun `make eval`.\n"
    root = make_repo({"pipelines/src/pipelines/xgboost/README.md": model_readme,
                      "README.md": project_readme})
    assert results(root, "model_card_present") == [
        ("pipelines/src/pipelines/xgboost/README.md", 4, "found",
         "model documentation: sections 'model hyperparameters', 'model test/evaluation'"),
    ]


# ------------------------------------------------------------------ model tests in CI
TRAIN_TEST = ("import lightning\n\ndef test_train_fast_dev_run(cfg):\n"
              "    trainer = lightning.Trainer(fast_dev_run=True)\n    trainer.fit(model)\n")


@pytest.mark.parametrize(("command", "runs"), [
    ("pytest -v", True),  # collects everything
    ("python -m pytest tests/ -k 'not slow'", True),
    ("pytest tests/unit", False),  # the model tests live elsewhere
    ("ruff check .", False),
])
def test_model_tests_run_in_ci(make_repo: MakeRepo, command: str, runs: bool) -> None:
    wf = (f"on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
          f"      - run: {command}\n")
    root = make_repo({".github/workflows/test.yml": wf, "tests/test_train.py": TRAIN_TEST,
                      "tests/unit/test_utils.py": "def test_x():\n    assert 1\n"})
    expected = [(".github/workflows/test.yml", 6, "found",
                 "github-actions job 'test' runs model tests (tests/test_train.py)")]
    assert results(root, "model_tests_run_in_ci") == (expected if runs else [])


# ------------------------------------------------------------------ experiment loggers
def test_loggers_chosen_in_configuration_are_tracking(make_repo: MakeRepo) -> None:
    root = make_repo({
        "configs/logger/mlflow.yaml": ("mlflow:\n  _target_: lightning.pytorch.loggers.mlflow."
                                       "MLFlowLogger\n  tracking_uri: ${paths.log_dir}\n"),
        "configs/logger/csv.yaml": "csv:\n  _target_: lightning.pytorch.loggers.csv_logs.CSVLogger\n",
        "configs/trainer.yaml": "_target_: lightning.pytorch.Trainer\nmax_epochs: 10\n",
        "ch13/ignite_example.py": ("from ignite.contrib.handlers import TensorboardLogger\n"
                                   "tb_logger = TensorboardLogger(log_dir='out')\n"),
    })
    assert results(root, "experiment_tracking_used") == [
        ("ch13/ignite_example.py", 2, "found",
         "PyTorch-Ignite loggers: ignite.contrib.handlers.TensorboardLogger()"),
        ("configs/logger/mlflow.yaml", 2, "found",
         "logger configured: lightning.pytorch.loggers.mlflow.MLFlowLogger"),
    ]


# ------------------------------------------------------------------ shared storage, vendoring
def test_object_store_clients_and_templated_uris(make_repo: MakeRepo) -> None:
    root = make_repo({
        "tasks/train.py": ("from airflow.providers.microsoft.azure.hooks.wasb import WasbHook\n"
                           "hook = WasbHook('wasb_datalake')\n"),
        "pipelines/pipeline.py": ('input_data = ParameterString(name="InputDataUrl",\n'
                                  '    default_value=f"s3://seedcode-{region}/dataset/a.csv")\n'),
        "pre.py": ("import boto3\ns3 = boto3.resource('s3')\n"
                   "s3.Bucket(bucket).download_file(key, fn)\n"),
        # near misses: boto3 without an S3 client; a download_file of another library
        "other.py": "import boto3\nsession.download_file(x)\n",
        "dl.py": "import wget\nwget.download_file('https://example.com/a.csv')\n",
    })
    assert [(f, line, d) for f, line, _, d in results(root, "data_remote_storage_configured")] == [
        ("pipelines/pipeline.py", 2, "code reads from s3://seedcode-{region}/dataset/a.csv"),
        ("pre.py", 3, "Amazon S3 (boto3): s3.Bucket().download_file()"),
        ("tasks/train.py", 2,
         "Airflow storage hook: airflow.providers.microsoft.azure.hooks.wasb.WasbHook()"),
    ]


def test_packages_installed_into_the_repository_are_not_its_code(make_repo: MakeRepo) -> None:
    record = ("gitlab/__init__.py,sha256=x,10\ntests/functional/test_x.py,sha256=y,20\n"
              "python_gitlab-2.10.1.dist-info/RECORD,,\n../../bin/gitlab,sha256=z,5\n")
    test = "def test_x():\n    assert 1\n"
    root = make_repo({
        "lambda/fn/lambda_function.py": "def handler(event, context):\n    return 1\n",
        "lambda/fn/gitlab/__init__.py": "",
        "lambda/fn/tests/functional/test_x.py": test,
        "lambda/fn/python_gitlab-2.10.1.dist-info/RECORD": record,
        "lambda/fn/python_gitlab-2.10.1.dist-info/METADATA": "Name: python-gitlab\n",
        "tests/test_handler.py": test,  # the repository's own tests stay
    })
    tree = RepoTree(root)
    assert tree.files == ["lambda/fn/lambda_function.py", "tests/test_handler.py"]
    assert tree.skipped["vendored_package_files"] == 4


# ------------------------------------------------------------------ pipelines run by CI
def test_ci_that_runs_the_repositorys_training_pipeline_trains(make_repo: MakeRepo) -> None:
    pipeline = (
        "from sagemaker.workflow.pipeline import Pipeline\n"
        "from sagemaker.workflow.steps import TrainingStep\n"
        "step_train = TrainingStep(name='TrainAbaloneModel', estimator=xgb)\n"
        "pipeline = Pipeline(name='p', steps=[step_train])\n"
    )
    ci = ("train-model:\n  stage: training\n  script:\n"
          "    - run-pipeline --module-name pipelines.abalone.pipeline --role-arn $ROLE\n")
    near = ci.replace("pipelines.abalone.pipeline", "pipelines.abalone.report")
    files = {"pipelines/__init__.py": "", "pipelines/abalone/__init__.py": "",
             "pipelines/abalone/pipeline.py": pipeline, "pipelines/abalone/report.py": "x = 1\n"}
    root = make_repo({**files, ".gitlab-ci.yml": ci})
    assert [(f, line, d) for f, line, _, d in results(root, "training_runs_in_ci")] == [
        (".gitlab-ci.yml", 2, "gitlab-ci job 'train-model' runs the training pipeline "
                              "pipelines/abalone/pipeline.py"),
    ]
    assert results(make_repo({**files, ".gitlab-ci.yml": near}), "training_runs_in_ci") == []


def test_a_prefect_deployment_beside_its_flow(make_repo: MakeRepo) -> None:
    flow = (
        "import xgboost as xgb\nfrom prefect import flow, task\n"
        "@task\ndef train_model(d):\n    return xgb.train({}, d)\n"
        "@flow\ndef main():\n    train_model(1)\n"
        "from prefect.deployments import Deployment\n"
        "from prefect.orion.schemas.schedules import CronSchedule\n"
        "Deployment(flow=main, name='monthly', schedule=CronSchedule(cron='0 9 15 * *'))\n"
    )
    root = make_repo({"homework.py": flow,
                      "manual.py": flow.replace(", schedule=CronSchedule(cron='0 9 15 * *')", "")})
    assert [(f, d) for f, _, _, d in results(root, "training_scheduled")] == [
        ("homework.py", "Prefect training pipeline scheduled: Prefect deployment (line 11)"),
    ]


@pytest.mark.parametrize(("script", "trains"), [
    ('ruff check . --exclude "llm-finetuning/" --select I\n', False),  # what ruff skips
    ("pytest --ignore=tests/train_model tests/unit\n", False),
    ("ruff check . --exclude docs\npython finetuning/run.py\n", True),  # a folder that runs
])
def test_what_a_tool_is_told_to_skip_is_not_what_a_step_does(
    make_repo: MakeRepo, script: str, trains: bool
) -> None:
    wf = ("on: [push]\njobs:\n  check:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - run: bash scripts/format.sh\n")
    root = make_repo({".github/workflows/fmt.yml": wf, "scripts/format.sh": script,
                      "finetuning/run.py": "print(1)\n"})
    assert bool(results(root, "training_runs_in_ci")) is trains
