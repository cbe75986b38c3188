"""The path classifier of the git-history source: every kind, with near misses, and the
files where a changed schedule line counts."""

from __future__ import annotations

import pytest

from mlkaizen.evidence.facts.history_paths import kinds_of, schedule_file
from mlkaizen.evidence.facts.live import ChangeKind

T, D, P, M, C, MON = (
    ChangeKind.TRAINING_CODE,
    ChangeKind.DATA_POINTER,
    ChangeKind.PARAMS,
    ChangeKind.METRICS,
    ChangeKind.CI,
    ChangeKind.MONITORING,
)

KINDS: list[tuple[str, set[ChangeKind]]] = [
    # training code: names that train or fit, model definitions, training/model folders
    ("train.py", {T}),
    ("src/train_model.py", {T}),
    ("training.py", {T}),
    ("src/churn/trainer.py", {T}),
    ("scripts/retrain.py", {T}),
    ("fit_xgb.py", {T}),
    ("finetune.py", {T}),
    ("src/trainModel.py", {T}),
    ("train2.py", {T}),
    ("notebooks/train.ipynb", {T}),
    ("R/train.R", {T}),
    ("src/main/scala/Train.scala", {T}),
    ("training/loop.py", {T}),
    ("src/modeling/gbm.py", {T}),
    ("pkg/networks/unet.py", {T}),
    # ... near misses: not source, docs, tests, words that only contain "train" or "fit"
    ("training_notes.md", set()),
    ("docs/train.md", set()),
    ("docs/examples/train.py", set()),
    ("tests/test_train.py", set()),
    ("test_train.py", set()),
    ("train_test.py", set()),
    ("src/conftest.py", set()),
    ("tests/models/fake.py", set()),
    ("queries/train.sql", set()),
    ("src/constraint.py", set()),
    ("src/strain.py", set()),
    ("src/fitness.py", set()),
    ("src/outfit.py", set()),
    # model definitions and fitting helpers are as often an ORM's models or a schema
    ("model.py", set()),
    ("src/models.py", set()),
    ("src/models/resnet.py", set()),
    ("app/models/user.py", set()),
    ("fixes/fit.py", set()),
    ("src/fit.py", set()),
    ("src/view_models_helper.py", set()),
    ("models/model.pkl", set()),
    ("models/README.md", set()),
    ("model_card.md", set()),
    ("venv/lib/train.py", set()),
    ("node_modules/x/models/a.py", set()),
    ("src/data/loader.py", set()),
    # data pointers
    ("data/raw.csv.dvc", {D}),
    ("dvc.lock", {D}),
    ("sub/dvc.lock", {D}),
    ("models/model.pkl.dvc", {D}),
    (".dvc/config", set()),
    ("tests/data/sample.csv.dvc", set()),  # a test fixture, not the project's data
    (".dvcignore", set()),
    ("dvc.yaml", set()),
    (".gitattributes", set()),
    ("data/raw.csv", set()),
    # params
    ("params.yaml", {P}),
    ("params.json", {P}),
    ("exp/params.yml", {P}),
    ("hparams.yaml", {P}),
    ("config/hparams_large.json", {P}),
    ("hyperparameters.json", {P}),
    ("sweep.yaml", {P}),
    ("conf/config.yaml", {P}),
    ("conf/model/resnet.yaml", {P}),
    ("configs/model.yaml", {P}),
    ("configs/train_config.json", {P}),
    ("config/experiment.toml", {P}),
    ("models/churn/MLmodel", {P}),
    ("mlruns/0/abc/artifacts/model/MLmodel", set()),  # tracking output, not the project
    ("params.py", set()),
    ("docs/params.md", set()),
    ("config/logging.yaml", set()),
    ("configs/database.json", set()),
    ("model.yaml", set()),
    ("package.json", set()),
    ("conf.py", set()),
    ("tests/conf/config.yaml", set()),
    # metrics
    ("metrics.json", {M}),
    ("reports/metrics.yaml", {M}),
    ("eval/scores.json", {M}),
    ("evaluation.json", {M}),
    ("metrics/auc.csv", {M}),
    ("dvclive/plots/metrics/loss.tsv", {M}),
    ("reports/test_metrics.json", set()),  # a test_ file name is a test, not the project
    ("train_metrics.json", {M}),
    ("metrics.py", set()),
    ("src/metrics/__init__.py", set()),
    ("docs/metrics.md", set()),
    ("metrics/README.md", set()),
    ("scores.txt", set()),
    # CI, wherever it is, tests included
    (".github/workflows/train.yml", {C}),
    (".github/workflows/ci.yaml", {C}),
    (".gitlab-ci.yml", {C}),
    ("sub/.gitlab-ci.yml", {C}),
    (".gitlab/ci/train.yml", {C}),
    ("azure-pipelines.yml", {C}),
    ("azure-pipelines-retrain.yml", {C}),
    (".azure-pipelines/nightly.yaml", {C}),
    ("Jenkinsfile", {C}),
    ("ci/Jenkinsfile.nightly", {C}),
    (".circleci/config.yml", {C}),
    ("cloudbuild.yaml", {C}),
    ("bitbucket-pipelines.yml", {C}),
    (".buildkite/pipeline.yml", {C}),
    (".drone.yml", {C}),
    (".travis.yml", {C}),
    ("buildspec.yml", {C}),
    (".github/workflows/README.md", set()),
    (".github/dependabot.yml", set()),
    (".github/ISSUE_TEMPLATE/bug.yml", set()),
    ("docs/ci.yml", set()),
    (".circleci/README.md", set()),
    ("jenkins/notes.md", set()),
    ("azure-pipelines.md", set()),
    # monitoring config, not docs or code
    ("monitoring/drift.yaml", {MON}),
    ("monitoring/config.json", {MON}),
    ("alerts.yml", {MON}),
    ("deploy/prometheus/rules.yml", {MON}),
    ("prometheus.yml", {MON}),
    ("grafana/dashboards/model.json", {MON}),
    ("evidently_config.yaml", {MON}),
    ("whylogs.yaml", {MON}),
    ("nannyml.yaml", {MON}),
    ("config/drift_thresholds.toml", {MON}),
    ("monitoring/metrics.yaml", {MON}),  # monitoring first: not a metrics output
    ("docs/monitoring.md", set()),
    ("monitoring/README.md", set()),
    ("monitoring/check_drift.py", set()),
    ("src/monitor.py", set()),
    ("monitoring/__init__.py", set()),
    ("tests/monitoring/drift.yaml", set()),
    ("alerting.txt", set()),
    # two kinds at once
    ("configs/model.yaml.dvc", {D}),
    ("training/params.yaml", {P}),
]


@pytest.mark.parametrize(("path", "expected"), KINDS)
def test_kinds_of_a_path(path: str, expected: set[ChangeKind]) -> None:
    assert kinds_of(path) == frozenset(expected)


def test_case_is_ignored() -> None:
    assert kinds_of("SRC/TRAIN.PY") == {T}
    assert kinds_of(".GitHub/Workflows/Nightly.YML") == {C}
    assert kinds_of("Params.YAML") == {P}


SCHEDULE_FILES = [
    ".github/workflows/retrain.yml",
    "Jenkinsfile",
    "azure-pipelines.yml",
    "dags/retrain_dag.py",
    "airflow/dags/nightly.py",
    "flows/retrain_flow.py",
    "k8s/retrain-cronjob.yaml",
    "pipelines/schedule.yaml",
    "prefect.yaml",
    "infra/schedule.tf",
    "crontab",
    "jobs/retrain.json",
]
NOT_SCHEDULE_FILES = [
    "src/train.py",
    "README.md",
    "docs/dags/nightly.py",
    "tests/dags/test_dag.py",
    "dags/README.md",
    "src/scheduler_utils.sh",
    "config/logging.yaml",
    "mlflow_utils.py",
]


@pytest.mark.parametrize("path", SCHEDULE_FILES)
def test_schedule_files(path: str) -> None:
    assert schedule_file(path)


@pytest.mark.parametrize("path", NOT_SCHEDULE_FILES)
def test_not_schedule_files(path: str) -> None:
    assert not schedule_file(path)
