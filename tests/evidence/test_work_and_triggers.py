"""What a CI step does, what starts training, and data checked by a team's own code, read
where real repositories put them: a training folder named only by an install line, a pipeline
spec a script submits, a schedule created in a module of its own, an event handler that starts
a pipeline through a helper beside it, a ``validate_dataframe`` that fails the run, a scrape
config mounted from a ConfigMap, a ``Dockerfile_dagit``.

Each heuristic has its near miss next to it; every test asserts the exact findings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlkaizen.evidence.detectors import REGISTRY
from mlkaizen.evidence.detectors.step_kinds import EVALUATE, TRAIN, VALIDATE_DATA, does, ml_work
from mlkaizen.evidence.tree import RepoTree
from tests.conftest import MakeRepo

Pairs = set[tuple[str, str, str]]


def found(root: Path, detector: str) -> Pairs:
    """(outcome, file, detail) of every finding of one detector."""
    tree = RepoTree(root)
    return {(f.outcome.value, f.file or "", f.detail) for f in REGISTRY[detector].detect(tree)}


# ------------------------------------------------------------------ what a step's command does
@pytest.mark.parametrize(
    ("command", "trains"),
    [
        ("pip install -r src/training/requirements.txt", False),
        ("python -m pip install -r training/requirements.txt\npytest -q", False),
        ("docker build --tag acme/train-knn:latest ./components/models/knn/", False),
        ("sudo docker build -f src/training/Dockerfile .", False),
        ("gcloud functions deploy 'prod_training_pipeline' --runtime=python39", False),
        ('echo "Starting the training pipeline..."', False),
        ("mkdir -p training && cp data.csv training/", False),
        ("cd src/training && python train.py", True),
        ("pip install -r requirements.txt && python -m training.run", True),
        ("uv run python train.py --epochs 3", True),
        ("poetry run train", True),
        ("docker run acme/trainer python train.py", True),
        ("FOO=1 python train.py", True),
        # a backslash continues a line: the whole command is one segment
        ("docker build \\\n  -t acme/train-knn \\\n  -f src/training/Dockerfile .", False),
        ("pip install \\\n  -r training/requirements.txt", False),
        ("pip3.11 install -r training/requirements.txt", False),
        ("if [ -d training ]; then echo training; fi", False),
        ("if [ -f train.py ]; then python train.py; fi", True),
        ("@echo Training the model", False),
        ("conda activate train-env", False),
        ("yamllint train-pipeline.yml", False),
        ("cat params.yaml | python train.py", True),
        ("npm run train", True),
        ("python train.py &", True),
        # byte-compiling a training script checks its syntax; it runs nothing
        ("python -m py_compile scripts/run_training.py scripts/deploy.py", False),
        ("python3 -m compileall src/training", False),
        ("python -m py_compile train.py && python train.py", True),
        # compiling a Kubeflow pipeline's definition trains nothing; running it does
        ("dsl-compile --py train_pipeline.py --output train.tar.gz", False),
        ("kfp dsl compile --py pipelines/train.py --output train.yaml", False),
        ("dsl-compile --py train_pipeline.py --output t.tar.gz && python train.py", True),
        # setting a variable runs nothing; a command's output, or a command after it, does
        ('TRAIN_IMAGE="${ACCOUNT}.dkr.ecr.aws.com/credit-train:latest"', False),
        ('[ "$FORCE" == "true" ] && ARGS="--force-retrain"', False),
        ("MODEL_URI=$(python train.py --print-uri)", True),
        ("MODEL=`python train.py`", True),
        ('EPOCHS=3 python train.py', True),
        ('OPTS="--lr 0.1" python train.py', True),
        # copies to object storage, a platform's jobs listed or stopped, values of an action
        ('aws s3 cp "$WORKSPACE/data/sample.csv" "s3://$BUCKET/train/data.csv"', False),
        ('if ! aws s3 ls "s3://$BUCKET/train/data.csv"; then exit 1; fi', False),
        ("gsutil -m cp -r data/ gs://bucket/train/", False),
        ("gcloud storage cp data.csv gs://bucket/training/", False),
        ("azcopy copy data.csv https://acct.blob.core.windows.net/train/", False),
        (
            "for job in $(aws sagemaker list-training-jobs --status-equals InProgress); do\n"
            '  aws sagemaker stop-training-job --training-job-name "$job"\ndone',
            False,
        ),
        ("aws sagemaker describe-training-job --training-job-name churn", False),
        ("aws sagemaker wait training-job-completed-or-stopped --training-job-name churn", False),
        # a value of an action's input, not a command
        ("dorny/paths-filter@v3\n\ntrainer:\n  - 'services/training/**'", False),
        ("trainer_api:", False),
        # near misses: the work itself
        ("aws s3 cp s3://bucket/data.csv . && python train.py", True),
        ("aws sagemaker create-training-job --training-job-name churn", True),
        ("if ! python train.py; then exit 1; fi", True),
        ("until python train.py; do sleep 5; done", True),
        ("for cfg in configs/*.yaml; do python train.py --config $cfg; done", True),
        ("- 'python train.py'", True),
    ],
)
def test_a_step_trains_only_in_a_segment_that_does_work(command: str, trains: bool) -> None:
    assert does(TRAIN, command) is trains


def test_ml_work_keeps_the_working_segments_in_order() -> None:
    command = "pip install -r eval/requirements.txt && python evaluate.py; echo validate_data"
    assert ml_work(command) == "python evaluate.py"
    assert does(EVALUATE, command)
    assert not does(VALIDATE_DATA, command)


GHA_INSTALL_TRAINING = """\
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: |
          python -m pip install -r src/training/requirements.txt
          pytest -q
      - run: docker build -t acme/train-knn:latest -f src/training/Dockerfile .
"""


def test_installing_a_training_folder_is_not_training_in_ci(make_repo: MakeRepo) -> None:
    root = make_repo({".github/workflows/ci.yml": GHA_INSTALL_TRAINING})
    assert found(root, "training_runs_in_ci") == set()


def test_near_miss_running_the_training_folder_is(make_repo: MakeRepo) -> None:
    workflow = GHA_INSTALL_TRAINING.replace("pytest -q", "python src/training/train.py")
    root = make_repo({".github/workflows/ci.yml": workflow})
    assert found(root, "training_runs_in_ci") == {
        ("found", ".github/workflows/ci.yml", "github-actions job 'test' trains a model")
    }


# ------------------------------------------------------------------ a pipeline spec CI submits
AML_TRAINING_PIPELINE = """\
$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
display_name: churn-ci
jobs:
  prepare_data:
    type: command
    code: ../src
    command: python prep.py --raw ${{inputs.raw}}
  train_model:
    type: command
    code: ../src
    command: python train.py --data ${{inputs.data}}
"""
AML_SCORING_PIPELINE = """\
$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
display_name: churn-batch
jobs:
  prepare_data:
    type: command
    code: ../src
    command: python prep.py --raw ${{inputs.raw}}
  score:
    type: command
    code: ../src
    command: python score.py --data ${{inputs.data}}
"""
GHA_SUBMIT = """\
on: [repository_dispatch, workflow_dispatch]
jobs:
  run:
    runs-on: ubuntu-latest
    steps:
      - uses: azure/login@v1
      - name: run job
        run: bash ../.github/cicd/run_job.sh {spec} "run-from-github-workflow"
        working-directory: pipelines
"""


def test_ci_that_submits_a_training_pipeline_spec_trains(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "pipelines/churn-ci.yml": AML_TRAINING_PIPELINE,
            ".github/workflows/ci.yml": GHA_SUBMIT.format(spec="churn-ci.yml"),
        }
    )
    # the spec, named from the step's working directory, is read as the file the step runs
    where = ".github/workflows/ci.yml"
    assert found(root, "training_runs_in_ci") == {
        ("found", where, "github-actions job 'run' trains a model")
    }
    # from the checkout's root it names no file of the repository: the pipeline it submits
    # is still recognised by its name
    root = make_repo(
        {
            "pipelines/churn-ci.yml": AML_TRAINING_PIPELINE,
            ".github/workflows/ci.yml": GHA_SUBMIT.format(spec="churn-ci.yml").replace(
                "        working-directory: pipelines\n", ""
            ),
        }
    )
    assert found(root, "training_runs_in_ci") == {
        (
            "found",
            where,
            "github-actions job 'run' runs the training pipeline pipelines/churn-ci.yml",
        )
    }


def test_near_miss_a_submitted_spec_that_only_scores_trains_nothing(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "pipelines/churn-batch.yml": AML_SCORING_PIPELINE,
            ".github/workflows/ci.yml": GHA_SUBMIT.format(spec="churn-batch.yml"),
        }
    )
    assert found(root, "training_runs_in_ci") == set()


@pytest.mark.parametrize(
    "run", ['echo "submitting churn-ci.yml"', "yamllint churn-ci.yml", "cat churn-ci.yml"]
)
def test_near_miss_a_step_that_only_prints_or_lints_the_spec(make_repo: MakeRepo, run: str) -> None:
    workflow = GHA_SUBMIT.format(spec="x").replace(
        'bash ../.github/cicd/run_job.sh x "run-from-github-workflow"', run
    )
    root = make_repo(
        {"pipelines/churn-ci.yml": AML_TRAINING_PIPELINE, ".github/workflows/ci.yml": workflow}
    )
    assert found(root, "training_runs_in_ci") == set()


def test_near_miss_a_generic_spec_name_needs_its_folder(make_repo: MakeRepo) -> None:
    outside = GHA_SUBMIT.format(spec="pipeline.yml").replace(
        "        working-directory: pipelines\n", ""
    )
    root = make_repo(
        {"pipelines/pipeline.yml": AML_TRAINING_PIPELINE, ".github/workflows/ci.yml": outside}
    )
    assert found(root, "training_runs_in_ci") == set()
    # run from the spec's folder, the generic name is that spec
    inside = GHA_SUBMIT.format(spec="pipeline.yml")
    root = make_repo(
        {"pipelines/pipeline.yml": AML_TRAINING_PIPELINE, ".github/workflows/ci.yml": inside}
    )
    assert found(root, "training_runs_in_ci") == {
        ("found", ".github/workflows/ci.yml", "github-actions job 'run' trains a model")
    }
    named = GHA_SUBMIT.format(spec="pipelines/pipeline.yml")
    root = make_repo(
        {"pipelines/pipeline.yml": AML_TRAINING_PIPELINE, ".github/workflows/ci.yml": named}
    )
    # named with its folder, the spec is read as the file the step runs
    assert found(root, "training_runs_in_ci") == {
        ("found", ".github/workflows/ci.yml", "github-actions job 'run' trains a model")
    }


SM_PIPELINE = """\
from sagemaker.estimator import Estimator
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.steps import ProcessingStep, TrainingStep

def get_pipeline(role):
    estimator = Estimator(image_uri=image, role=role, instance_type="ml.m5.large")
    step_prep = ProcessingStep(name="Prepare", processor=processor)
    step_train = TrainingStep(name="Train", estimator=estimator)
    return Pipeline(name="Churn", steps=[step_prep, step_train])

if __name__ == "__main__":
    get_pipeline(role).upsert(role_arn=role).start()
"""
GHA_DISPATCHED_PIPELINE = """\
on:
  repository_dispatch:
    types: [trigger-training]
jobs:
  ct:
    runs-on: ubuntu-latest
    steps:
      - run: echo "Starting the pipeline for $BUCKET..."
      - run: python pipeline/pipeline.py --execute
"""


def test_a_dispatched_job_that_runs_the_training_pipeline_retrains(make_repo: MakeRepo) -> None:
    root = make_repo(
        {"pipeline/pipeline.py": SM_PIPELINE, ".github/workflows/ct.yml": GHA_DISPATCHED_PIPELINE}
    )
    assert found(root, "training_triggered_by_event") == {
        (
            "found",
            ".github/workflows/ct.yml",
            "github-actions job 'ct' retrains on an external event",
        )
    }


def test_near_miss_an_echo_that_names_training_starts_nothing(make_repo: MakeRepo) -> None:
    workflow = GHA_DISPATCHED_PIPELINE.replace(
        "python pipeline/pipeline.py --execute", 'echo "training done"'
    )
    root = make_repo({"pipeline/pipeline.py": SM_PIPELINE, ".github/workflows/ct.yml": workflow})
    assert found(root, "training_triggered_by_event") == set()


SM_UPSERT_ONLY = SM_PIPELINE.replace(".upsert(role_arn=role).start()", ".upsert(role_arn=role)")


def test_near_miss_an_upserting_script_named_for_training(make_repo: MakeRepo) -> None:
    workflow = GHA_DISPATCHED_PIPELINE.replace(
        "python pipeline/pipeline.py --execute", "python pipelines/train_pipeline.py --upsert"
    )
    files = {"pipelines/train_pipeline.py": SM_UPSERT_ONLY, ".github/workflows/ct.yml": workflow}
    assert found(make_repo(files), "training_runs_in_ci") == set()
    # the same name, a script that starts the execution too: it trains
    files["pipelines/train_pipeline.py"] = SM_PIPELINE
    assert {o for o, _, _ in found(make_repo(files), "training_runs_in_ci")} == {"found"}


def test_near_miss_a_pipeline_script_that_only_upserts_its_definition(make_repo: MakeRepo) -> None:
    workflow = GHA_DISPATCHED_PIPELINE.replace("--execute", "--upsert")
    files = {"pipeline/pipeline.py": SM_UPSERT_ONLY, ".github/workflows/ct.yml": workflow}
    assert found(make_repo(files), "training_runs_in_ci") == set()
    assert found(make_repo(files), "training_triggered_by_event") == set()
    # the same script that also starts an execution trains
    files["pipeline/pipeline.py"] = SM_PIPELINE
    assert found(make_repo(files), "training_runs_in_ci") == {
        (
            "found",
            ".github/workflows/ct.yml",
            "github-actions job 'ct' runs the training pipeline pipeline/pipeline.py",
        )
    }


LAUNCHER = """\
import click
from pipeline.pipeline import build


@click.command()
@click.option("--run", is_flag=True)
def main(run: bool) -> None:
    build(run=run)
"""


@pytest.mark.parametrize(
    ("launcher", "expected"),
    [
        # a launcher script that imports the repository's training pipeline runs it
        (LAUNCHER, {"github-actions job 'ct' runs the training pipeline pipeline/pipeline.py"}),
        # near miss: a launcher that imports only a helper of the same package
        (LAUNCHER.replace("pipeline.pipeline import build", "pipeline.config import load"),
         set()),
        # near miss: one that imports a library's module of the same dotted name, undotted
        (LAUNCHER.replace("from pipeline.pipeline import build", "import pipeline"), set()),
        # near misses: one that imports the pipeline and calls nothing of it, one that only
        # upserts its definition, one that prints it
        (LAUNCHER.replace("    build(run=run)", "    print(run)"), set()),
        (LAUNCHER.replace("build(run=run)", "build(run=run).upsert(role_arn='r')"), set()),
        (LAUNCHER.replace("build(run=run)", "print(build(run=run).definition())"), set()),
    ],
)
def test_a_launcher_that_imports_the_training_pipeline_runs_it(
    make_repo: MakeRepo, launcher: str, expected: set[str]
) -> None:
    workflow = GHA_DISPATCHED_PIPELINE.replace(
        "python pipeline/pipeline.py --execute", "python build.py --run"
    )
    files = {
        "pipeline/pipeline.py": SM_PIPELINE,
        "pipeline/config.py": "def load(): ...\n",
        "build.py": launcher,
        ".github/workflows/ct.yml": workflow,
    }
    assert {d for _, _, d in found(make_repo(files), "training_runs_in_ci")} == expected


@pytest.mark.parametrize(
    ("launcher_at", "imports", "expected"),
    [
        # a run script beside the pipeline's module imports it by its bare name (Python puts
        # the script's folder first on its path)
        ("pipeline/run.py", "from pipeline import get_pipeline\n",
         {"github-actions job 'ct' runs the training pipeline pipeline/pipeline.py"}),
        # near miss: the same import from a script elsewhere names another module
        ("scripts/run.py", "from pipeline import get_pipeline\n", set()),
        # near miss: the script beside it imports a helper of its folder
        ("pipeline/run.py", "from config import get_pipeline\n", set()),
    ],
)
def test_a_run_script_beside_the_training_pipeline_runs_it(
    make_repo: MakeRepo, launcher_at: str, imports: str, expected: set[str]
) -> None:
    launcher = imports + "pipeline = get_pipeline()\npipeline.upsert(role_arn='r')\npipeline.start()\n"
    files = {
        "pipeline/pipeline.py": SM_PIPELINE,
        "pipeline/config.py": "def get_pipeline(): ...\n",
        launcher_at: launcher,
        ".github/workflows/ct.yml": GHA_DISPATCHED_PIPELINE.replace(
            "python pipeline/pipeline.py --execute", f"python {launcher_at}"),
    }
    got = {d.replace(" (started by hand)", "") for _, _, d in found(make_repo(files),
                                                                   "training_runs_in_ci")}
    assert got == expected


# ------------------------------------------------------------------ training re-run on a merge
GHA_ON_MERGE = """\
on:
  push:
    branches: [main]
  pull_request:
jobs:
  train:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r requirements.txt
      - run: python pipeline/pipeline.py --execute
"""


def test_a_pipeline_run_by_ci_on_every_push_retrains_on_merge(make_repo: MakeRepo) -> None:
    root = make_repo(
        {"pipeline/pipeline.py": SM_PIPELINE, ".github/workflows/ct.yml": GHA_ON_MERGE}
    )
    assert found(root, "training_on_merge") == {
        ("found", ".github/workflows/ct.yml", "github-actions job 'train' retrains on every push")
    }
    # a change of code, not time, data or drift: continuous training only in part
    assert found(root, "training_scheduled") == set()
    assert found(root, "training_triggered_by_event") == set()


SMOKE_TRAIN = """\
import joblib
from sklearn.linear_model import LogisticRegression

model = LogisticRegression().fit(X, y)
joblib.dump(model, "model.joblib")
"""


@pytest.mark.parametrize(
    ("workflow", "files"),
    [
        # started only by pull requests or by hand: nothing merged re-runs it
        (GHA_ON_MERGE.replace("  push:\n    branches: [main]\n", ""), {}),
        (
            GHA_ON_MERGE.replace(
                "  push:\n    branches: [main]\n  pull_request:\n", "  workflow_dispatch:\n"
            ),
            {},
        ),
        # a smoke training on the runner that keeps nothing
        (
            GHA_ON_MERGE.replace("python pipeline/pipeline.py --execute", "python train.py"),
            {"train.py": SMOKE_TRAIN},
        ),
        # the pipeline's definition updated, no execution started
        (GHA_ON_MERGE.replace("--execute", "--upsert"), {"pipeline/pipeline.py": SM_UPSERT_ONLY}),
        # a smoke training whose only keep is the CI run's own report
        (
            GHA_ON_MERGE.replace(
                "python pipeline/pipeline.py --execute",
                "python train.py\n      - uses: actions/upload-artifact@v4\n"
                "        with: {path: coverage.xml}",
            ),
            {"train.py": SMOKE_TRAIN},
        ),
    ],
)
def test_near_miss_ci_that_does_not_retrain_on_merge(
    make_repo: MakeRepo, workflow: str, files: dict[str, str]
) -> None:
    repo = {"pipeline/pipeline.py": SM_PIPELINE, **files, ".github/workflows/ct.yml": workflow}
    assert found(make_repo(repo), "training_on_merge") == set()


def test_near_miss_gitlab_jobs_the_schedule_runs(make_repo: MakeRepo) -> None:
    gitlab = (
        "retrain:\n  script:\n    - python pipeline/pipeline.py --execute\n"
        '  rules:\n    - if: $CI_PIPELINE_SOURCE == "schedule"\n'
    )
    root = make_repo({"pipeline/pipeline.py": SM_PIPELINE, ".gitlab-ci.yml": gitlab})
    assert found(root, "training_on_merge") == set()
    assert {o for o, _, _ in found(root, "training_scheduled")} == {"found"}


def test_a_smoke_training_that_pushes_its_model_retrains_on_merge(make_repo: MakeRepo) -> None:
    workflow = GHA_ON_MERGE.replace(
        "python pipeline/pipeline.py --execute",
        "python train.py\n      - run: dvc add model.joblib && dvc push",
    )
    root = make_repo({"train.py": SMOKE_TRAIN, ".github/workflows/ct.yml": workflow})
    assert found(root, "training_on_merge") == {
        ("found", ".github/workflows/ct.yml", "github-actions job 'train' retrains on every push")
    }


# ------------------------------------------------------------------ a schedule in its own module
VERTEX_SCHEDULE = """\
from google.cloud import aiplatform

def schedule_pipeline(template_path: str, cron: str, display_name: str):
    job = aiplatform.PipelineJob(display_name=display_name, template_path=template_path)
    return job.create_schedule(cron=cron, display_name=f"{display_name}-schedule")

if __name__ == "__main__":
    schedule_pipeline("training.json", "0 6 * * 6", "training-pipeline")
"""
KFP_TRAINING = """\
from kfp import dsl

@dsl.component
def train(data: str) -> str:
    from sklearn.linear_model import LogisticRegression
    return "model"

@dsl.pipeline(name="training-pipeline")
def training_pipeline(data: str):
    train(data=data)
"""


def test_a_schedule_created_in_a_module_of_its_own_schedules_training(make_repo: MakeRepo) -> None:
    root = make_repo(
        {"pipelines/training.py": KFP_TRAINING, "pipelines/utils/schedule.py": VERTEX_SCHEDULE}
    )
    assert found(root, "training_scheduled") == {
        (
            "found",
            "pipelines/utils/schedule.py",
            "job.create_schedule starts training on a schedule",
        )
    }


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # the schedule starts batch prediction, and names no training
        (
            "pipelines/utils/schedule.py",
            VERTEX_SCHEDULE.replace("training.json", "predict.json").replace(
                "training-pipeline", "batch-prediction"
            ),
        ),
        # test code that schedules is not a schedule
        ("tests/test_schedule.py", VERTEX_SCHEDULE),
        # a PipelineJob run once, with no cron, is not a schedule
        (
            "pipelines/utils/schedule.py",
            VERTEX_SCHEDULE.replace("create_schedule(cron=cron, ", "submit("),
        ),
    ],
)
def test_near_miss_schedules_that_do_not_retrain(make_repo: MakeRepo, path: str, text: str) -> None:
    root = make_repo({"pipelines/training.py": KFP_TRAINING, path: text})
    assert found(root, "training_scheduled") == set()


SCORING_SCHEDULE = """\
from google.cloud import aiplatform

def describe_training(run):
    return f"uses the model the weekly training produced: {run}"

def schedule_batch(template_path: str, cron: str):
    job = aiplatform.PipelineJob(display_name="batch-prediction", template_path=template_path)
    return job.create_schedule(cron=cron, display_name="batch-prediction-schedule")
"""


def test_near_miss_a_scoring_schedule_in_a_module_that_names_training(
    make_repo: MakeRepo,
) -> None:
    root = make_repo(
        {"pipelines/training.py": KFP_TRAINING, "pipelines/utils/schedule.py": SCORING_SCHEDULE}
    )
    assert found(root, "training_scheduled") == set()


CDK_INGESTION_SCHEDULE = """\
from aws_cdk import aws_events as events, aws_events_targets as targets

class FeaturesIngestionStack(Stack):
    def __init__(self, scope, id):
        rule = events.Rule(self, "FeatureIngestionSchedule",
                           schedule=events.Schedule.cron(minute="0", hour="3"))
        rule.add_target(targets.AwsApi(service="SageMaker", action="startPipelineExecution",
                        parameters={"PipelineName": "features-ingestion-pipeline"}))
"""


def test_near_miss_a_scheduled_feature_ingestion_is_not_training(make_repo: MakeRepo) -> None:
    root = make_repo(
        {"pipeline/pipeline.py": SM_PIPELINE, "infra/ingestion_stack.py": CDK_INGESTION_SCHEDULE}
    )
    assert found(root, "training_scheduled") == set()


# ------------------------------------------------------------------ an event handler's helper
HANDLER = """\
import os
from helper import *

def lambda_handler(event, context):
    key = event["Records"][0]["s3"]["object"]["key"]
    execution = start_pipeline(os.environ["PIPELINE"], f"s3://{BUCKET}/{key}")
    return {"statusCode": 200}
"""
HELPER = """\
import boto3

sm = boto3.client("sagemaker")

def start_pipeline(name, input_uri):
    return sm.start_pipeline_execution(
        PipelineName=name,
        PipelineParameters=[{"Name": "InputData", "Value": input_uri}],
    )
"""


def test_a_handler_that_starts_the_pipeline_through_its_helper_retrains(
    make_repo: MakeRepo,
) -> None:
    root = make_repo(
        {
            "pipeline/pipeline.py": SM_PIPELINE,
            "lambda/start/index.py": HANDLER,
            "lambda/start/helper.py": HELPER,
        }
    )
    detail = (
        "event handler starts a training pipeline run through lambda/start/helper.py: "
        "start_pipeline() calls sm.start_pipeline_execution()"
    )
    assert found(root, "training_triggered_by_event") == {
        ("found", "lambda/start/index.py", detail)
    }


def test_near_miss_a_helper_that_only_reads_an_execution(make_repo: MakeRepo) -> None:
    reads = HELPER.replace("start_pipeline_execution(", "describe_pipeline_execution(")
    root = make_repo(
        {
            "pipeline/pipeline.py": SM_PIPELINE,
            "lambda/start/index.py": HANDLER,
            "lambda/start/helper.py": reads,
        }
    )
    assert found(root, "training_triggered_by_event") == set()


def test_near_miss_a_handler_that_uses_the_helper_for_something_else(
    make_repo: MakeRepo,
) -> None:
    helper = (
        HELPER + "\n\ndef predict(payload):\n    return runtime.invoke_endpoint(Body=payload)\n"
    )
    handler = HANDLER.replace(
        'execution = start_pipeline(os.environ["PIPELINE"], f"s3://{BUCKET}/{key}")',
        "execution = predict(key)",
    )
    root = make_repo(
        {
            "pipeline/pipeline.py": SM_PIPELINE,
            "lambda/start/index.py": handler,
            "lambda/start/helper.py": helper,
        }
    )
    assert found(root, "training_triggered_by_event") == set()


def test_near_miss_no_training_pipeline_in_the_repository(make_repo: MakeRepo) -> None:
    root = make_repo({"lambda/start/index.py": HANDLER, "lambda/start/helper.py": HELPER})
    assert found(root, "training_triggered_by_event") == set()


# ------------------------------------------------------------------ data checked by own code
VALIDATE = """\
import pandas as pd

EXPECTED = ["age", "income", "churned"]

def validate_dataframe(df: pd.DataFrame) -> None:
    missing = [c for c in EXPECTED if c not in df.columns]
    if missing:
        raise ValueError(f"Missing required columns: {missing}")
    if df[EXPECTED].isna().any().any():
        raise ValueError("Null values in required columns")
"""


def test_hand_written_data_checks_declare_expectations(make_repo: MakeRepo) -> None:
    root = make_repo({"src/data/validate.py": VALIDATE})
    assert found(root, "data_schema_declared") == {
        ("found", "src/data/validate.py", "hand-written data checks: validate_dataframe()")
    }


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # a model check, not a data check
        (
            "src/models/gate.py",
            VALIDATE.replace("validate_dataframe", "validate_model_performance"),
        ),
        # a loader that checks its argument is a path or a frame
        ("src/utils/core.py", VALIDATE.replace("validate_dataframe", "_check_df_load")),
        # the same checks in test code test a processor
        ("tests/test_validate.py", VALIDATE),
        # no frame library: a request's fields, not data
        ("src/api/validate.py", VALIDATE.replace("import pandas as pd", "import json")),
        # a web app's request check answers the request; it does not fail a run
        (
            "src/api/app.py",
            VALIDATE.replace("ValueError", "HTTPException").replace(
                "validate_dataframe", "validate_input_schema"
            ),
        ),
        # drift monitoring, not a schema check
        ("src/monitoring/drift.py", VALIDATE.replace("validate_dataframe", "check_data_drift")),
        # the check only reports; the module fails elsewhere
        (
            "src/data/validate.py",
            "import pandas as pd\n\n"
            "def check_columns(df):\n    print(sorted(df.columns))\n\n"
            "def load(path):\n    if not path:\n        raise ValueError(path)\n"
            "    return pd.read_csv(path)\n",
        ),
        # checks that never fail the run only report
        (
            "src/data/validate.py",
            VALIDATE.replace(
                'raise ValueError(f"Missing required columns: {missing}")', "print(missing)"
            ).replace('raise ValueError("Null values in required columns")', 'print("nulls")'),
        ),
    ],
)
def test_near_miss_hand_written_checks(make_repo: MakeRepo, path: str, text: str) -> None:
    root = make_repo({path: text})
    assert found(root, "data_schema_declared") == set()


@pytest.mark.parametrize("module", ["src/validate_data.py", "src/steps/data_checks.py"])
def test_a_module_named_for_data_checks_names_its_check_plainly(
    make_repo: MakeRepo, module: str
) -> None:
    root = make_repo({module: VALIDATE.replace("validate_dataframe", "run_validation")})
    assert found(root, "data_schema_declared") == {
        ("found", module, "hand-written data checks: run_validation()")
    }


@pytest.mark.parametrize(
    ("module", "function"),
    [
        # the module is about data, not about checking it
        ("src/data_prep.py", "run_validation"),
        # a module named for data checks, a function that loads its settings
        ("src/validate_data.py", "load_validation_config"),
        # a module named for checking models
        ("src/validate_model.py", "run_validation"),
        # a module named for schemas (of a config, maybe), and a function that checks a model
        ("src/validate_schema.py", "validate_config"),
        ("src/data_validation.py", "verify_model"),
    ],
)
def test_near_miss_modules_named_otherwise(make_repo: MakeRepo, module: str, function: str) -> None:
    root = make_repo({module: VALIDATE.replace("validate_dataframe", function)})
    assert found(root, "data_schema_declared") == set()


# ------------------------------------------------------------------ a scrape config, mounted
PROMETHEUS_CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: prometheus-config
data:
  prometheus.yml: |
    global:
      scrape_interval: 5s
    scrape_configs:
      - job_name: "churn-classifier"
        kubernetes_sd_configs:
          - role: endpoints
      - job_name: "node-exporter"
        kubernetes_sd_configs:
          - role: endpoints
"""


def test_a_configmap_that_mounts_a_scrape_config_of_the_service(make_repo: MakeRepo) -> None:
    root = make_repo({"monitoring/prometheus-config.yaml": PROMETHEUS_CONFIGMAP})
    assert found(root, "service_metrics_exported") == {
        ("found", "monitoring/prometheus-config.yaml", "Prometheus scrape config (in a ConfigMap)")
    }


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # the cluster's own Prometheus: itself and the nodes, no service of the team's
        (
            "monitoring/prometheus-config.yaml",
            PROMETHEUS_CONFIGMAP.replace('"churn-classifier"', '"prometheus"'),
        ),
        ("monitoring/prometheus.yml", "# scrape configs go here\n"),
        ("monitoring/prometheus.yml", "scrape_configs:\n  - job_name: cadvisor\n"),
        # a ConfigMap of something else that mentions a scrape config in prose
        (
            "k8s/app-config.yaml",
            PROMETHEUS_CONFIGMAP.replace("prometheus.yml: |", "notes.txt: |"),
        ),
    ],
)
def test_near_miss_scrape_configs(make_repo: MakeRepo, path: str, text: str) -> None:
    root = make_repo({path: text})
    assert found(root, "service_metrics_exported") == set()


@pytest.mark.parametrize(
    "config",
    [
        # the pods that ask to be scraped, the team's among them
        "scrape_configs:\n  - job_name: kubernetes-pods\n",
        # Prometheus's own job, with the model's API among its targets
        "scrape_configs:\n  - job_name: prometheus\n    static_configs:\n"
        "      - targets: ['localhost:9090', 'model-api:8000']\n",
    ],
)
def test_scrape_configs_of_the_team_s_services(make_repo: MakeRepo, config: str) -> None:
    root = make_repo({"monitoring/prometheus.yml": config})
    assert {f[:2] for f in found(root, "service_metrics_exported")} == {
        ("found", "monitoring/prometheus.yml")
    }


def test_near_miss_a_commented_out_job(make_repo: MakeRepo) -> None:
    config = "scrape_configs:\n  - job_name: prometheus\n#  - job_name: fraud-api\n"
    root = make_repo({"monitoring/prometheus.yml": config})
    assert found(root, "service_metrics_exported") == set()


def test_a_scrape_config_file_with_a_service_job(make_repo: MakeRepo) -> None:
    root = make_repo({"monitoring/prometheus.yml": "scrape_configs:\n  - job_name: 'fraud-api'\n"})
    assert found(root, "service_metrics_exported") == {
        ("found", "monitoring/prometheus.yml", "Prometheus scrape config")
    }


# ------------------------------------------------------------------ images named otherwise
IMAGE = "FROM python:3.11-slim\nCOPY . /app\nCMD python serve.py\n"
DEVCONTAINER = '{"name": "dev", "build": {"dockerfile": "Dockerfile", "context": ".."}}'


@pytest.mark.parametrize(
    "path",
    [
        "docker/Dockerfile-processing",
        "Dockerfile_dagit",
        "Dockerfile.gpu",
        # images a project keeps in its .devcontainer folder that its devcontainer.json
        # does not build
        ".devcontainer/train.dockerfile",
    ],
)
def test_images_named_otherwise_are_images(make_repo: MakeRepo, path: str) -> None:
    root = make_repo({path: IMAGE, ".devcontainer/devcontainer.json": DEVCONTAINER})
    assert {f[:2] for f in found(root, "container_image_defined")} == {("found", path)}


@pytest.mark.parametrize(
    ("path", "spec"),
    [
        (".devcontainer/Dockerfile", DEVCONTAINER),
        (".devcontainer/dev.dockerfile", DEVCONTAINER.replace('"Dockerfile"', '"dev.dockerfile"')),
        # a devcontainer folder with no devcontainer.json to tell
        (".devcontainer/train.dockerfile", None),
        # the devcontainer builds from a compose file beside it that names the image
        (
            ".devcontainer/dev.Dockerfile",
            '{"name": "dev", "dockerComposeFile": "docker-compose.yml", "service": "dev"}',
        ),
        ("docs/dockerfile-guide.md", DEVCONTAINER),
        ("tools/dockerfile_lint.py", DEVCONTAINER),
    ],
)
def test_near_miss_development_images_and_files_about_them(
    make_repo: MakeRepo, path: str, spec: str | None
) -> None:
    files = {path: IMAGE}
    if spec is not None:
        files[".devcontainer/devcontainer.json"] = spec
    if "dockerComposeFile" in (spec or ""):
        compose = "services:\n  dev:\n    build:\n      dockerfile: dev.Dockerfile\n"
        files[".devcontainer/docker-compose.yml"] = compose
    root = make_repo(files)
    assert found(root, "container_image_defined") == set()


# ------------------------------------------------------------------ a smoke script named a test
SMOKE_SCRIPT = """\
import argparse

import boto3

sm = boto3.client("sagemaker")


def test_endpoint(endpoint_name):
    status = sm.describe_endpoint(EndpointName=endpoint_name)["EndpointStatus"]
    if status != "InService":
        raise Exception(f"{endpoint_name} is {status}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint-name")
    test_endpoint(parser.parse_args().endpoint_name)
"""


def test_a_smoke_script_run_with_arguments_is_not_a_test_suite(make_repo: MakeRepo) -> None:
    root = make_repo({"test/test.py": SMOKE_SCRIPT})
    assert found(root, "unit_tests_present") == set()


def test_near_miss_a_pytest_module_with_an_argparse_main_is_tests(make_repo: MakeRepo) -> None:
    module = "import pytest\n" + SMOKE_SCRIPT.replace(
        "def test_endpoint(endpoint_name):", "def test_endpoint(endpoint_name='churn'):"
    )
    root = make_repo({"tests/test_model.py": module})
    assert found(root, "unit_tests_present") == {
        ("found", "tests/test_model.py", "1 test module, e.g. tests/test_model.py")
    }


def test_near_miss_a_test_module_with_a_main_guard_is_still_tests(make_repo: MakeRepo) -> None:
    module = SMOKE_SCRIPT.replace("import argparse\n", "import unittest\n").replace(
        '    parser = argparse.ArgumentParser()\n    parser.add_argument("--endpoint-name")\n'
        "    test_endpoint(parser.parse_args().endpoint_name)\n",
        "    unittest.main()\n",
    )
    root = make_repo({"test/test.py": module})
    assert found(root, "unit_tests_present") == {
        ("found", "test/test.py", "1 test module, e.g. test/test.py")
    }


# ------------------------------------------------------------------ a dbx deployment's jobs
DBX = """\
environments:
  default:
    workflows:
      - name: "churn-train-register"
        job_clusters:
          - job_cluster_key: "default"
            new_cluster: {spark_version: "13.3.x-cpu-ml-scala2.12", num_workers: 1}
        tasks:
          - task_key: "features"
            job_cluster_key: "default"
            python_wheel_task: {package_name: churn, entry_point: "features"}
          - task_key: "train"
            depends_on: [{task_key: "features"}]
            job_cluster_key: "default"
            python_wheel_task: {package_name: churn, entry_point: "train"}
"""


def test_a_multi_task_dbx_workflow_is_a_training_pipeline(make_repo: MakeRepo) -> None:
    root = make_repo({"conf/deployment.yml": DBX})
    assert found(root, "pipeline_defined") == {
        ("found", "conf/deployment.yml", "Databricks job (dbx) pipeline with 2 steps")
    }
    assert {f[:2] for f in found(root, "training_in_pipeline")} == {
        ("found", "conf/deployment.yml")
    }


def test_near_miss_single_task_dbx_jobs_are_jobs(make_repo: MakeRepo) -> None:
    one = DBX.split('          - task_key: "train"', maxsplit=1)[0]
    root = make_repo({"conf/deployment.yml": one})
    assert found(root, "pipeline_defined") == set()


# ------------------------------------------------------------------ a pinned Databricks runtime
BUNDLE_JOB = """\
resources:
  jobs:
    train:
      job_clusters:
        - job_cluster_key: c
          new_cluster:
            spark_version: 15.4.x-cpu-ml-scala2.12
            node_type_id: i3.xlarge
"""


def test_a_pinned_runtime_pins_a_project_with_no_dependency_file(make_repo: MakeRepo) -> None:
    root = make_repo({"resources/train.yml": BUNDLE_JOB})
    assert found(root, "dependencies_pinned") == {
        ("found", "resources/train.yml", "Databricks runtime 15.4.x-cpu-ml-scala2.12")
    }


def test_near_miss_the_runtime_does_not_pin_the_project_s_own_libraries(
    make_repo: MakeRepo,
) -> None:
    root = make_repo(
        {"resources/train.yml": BUNDLE_JOB, "requirements.txt": "pandas\nscikit-learn\nmlflow\n"}
    )
    assert found(root, "dependencies_pinned") == set()


# ------------------------------------------------------------------ a store the environment names
ENV_BUCKET_LOADER = """\
import os

import pandas as pd


def load_data(object_name=None):
    object_url = os.environ.get("BUCKET_URL") + (object_name or "train.csv")
    return pd.read_csv(object_url)
"""


def test_data_read_from_a_bucket_the_environment_names_is_shared(make_repo: MakeRepo) -> None:
    root = make_repo({"src/util/data_access.py": ENV_BUCKET_LOADER})
    assert found(root, "data_remote_storage_configured") == {
        (
            "found",
            "src/util/data_access.py",
            "code reads data from the store the environment names (BUCKET_URL): pandas.read_csv()",
        )
    }


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # a local folder, or the store's credentials or region: not where the data lives
        ("src/data.py", ENV_BUCKET_LOADER.replace("BUCKET_URL", "DATA_DIR")),
        ("src/data.py", ENV_BUCKET_LOADER.replace("BUCKET_URL", "S3_REGION")),
        ("src/data.py", ENV_BUCKET_LOADER.replace("BUCKET_URL", "AZURE_BLOB_KEY")),
        # the bucket read in one function, a local file in another
        (
            "src/data.py",
            ENV_BUCKET_LOADER.replace(
                "    return pd.read_csv(object_url)",
                "    return object_url\n\n\ndef local():\n    return pd.read_csv('data/x.csv')",
            ),
        ),
        # test code
        ("tests/test_data.py", ENV_BUCKET_LOADER),
        # a local file read, the model written to a bucket the environment names
        (
            "src/train.py",
            "import os\n\nimport pandas as pd\n\n\ndef main():\n"
            "    frame = pd.read_csv('data/train.csv')\n"
            "    upload(fit(frame), os.environ.get('MODEL_BUCKET'))\n",
        ),
        ("src/data.py", ENV_BUCKET_LOADER.replace("BUCKET_URL", "OUTPUT_BUCKET")),
    ],
)
def test_near_miss_environment_variables_that_name_no_store(
    make_repo: MakeRepo, path: str, text: str
) -> None:
    assert found(make_repo({path: text}), "data_remote_storage_configured") == set()


# ------------------------------------------------------------------ tests of data, tests of code
PROCESSOR_TEST = """\
import pandas as pd

from churn.processing import clean


def test_clean_drops_missing_rows():
    frame = pd.DataFrame({"age": [31, None], "plan": ["a", "b"]})
    assert not clean(frame).isna().any().any()
"""
DATA_TEST = """\
import pandas as pd


def test_training_data_has_no_missing_labels():
    frame = pd.read_parquet("data/train.parquet")
    assert not frame.isna().any().any()
"""


def test_a_test_that_checks_the_data_it_reads_is_a_data_test(make_repo: MakeRepo) -> None:
    root = make_repo({"tests/test_data.py": DATA_TEST})
    assert found(root, "data_tests_present") == {
        ("found", "tests/test_data.py", "data test module")
    }


def test_near_miss_a_test_that_checks_a_frame_it_writes_tests_the_code(
    make_repo: MakeRepo,
) -> None:
    root = make_repo({"tests/test_processing.py": PROCESSOR_TEST})
    assert found(root, "data_tests_present") == set()
    # the same test, reading the real data as well: it checks the data too
    both = PROCESSOR_TEST + DATA_TEST.split("\n\n\n", 1)[1]
    root = make_repo({"tests/test_processing.py": both})
    assert found(root, "data_tests_present") == {
        ("found", "tests/test_processing.py", "data test module")
    }


# ------------------------------------------------------------------ a model behind a function
LAMBDA_SERVING = """\
import json

import joblib

model = joblib.load("model.joblib")


def lambda_handler(event, context):
    rows = json.loads(event["body"])["rows"]
    return {"statusCode": 200, "body": json.dumps(model.predict(rows).tolist())}
"""
CLOUD_FUNCTION = """\
import lightgbm as lgbm
import pandas as pd

model = lgbm.Booster(model_file="model.txt")


def handler(request):
    body = request.get_json()
    return {"replies": model.predict(pd.DataFrame(body["calls"])).tolist()}
"""


@pytest.mark.parametrize(
    ("path", "text", "detail"),
    [
        (
            "deploy/lambda/app.py",
            LAMBDA_SERVING,
            "AWS Lambda handler serving a model loaded with joblib.load()",
        ),
        ("main.py", CLOUD_FUNCTION, "HTTP function serving a model loaded with lightgbm.Booster()"),
        (
            "functions/score/main.py",
            CLOUD_FUNCTION.replace("    body = request.get_json()\n", "    body = request\n"),
            "function handler serving a model loaded with lightgbm.Booster()",
        ),
        (
            "function_app.py",
            "import azure.functions as func\nimport joblib\n\nmodel = joblib.load('m.joblib')\n"
            "app = func.FunctionApp()\n\n\n@app.route(route='score')\ndef score(req):\n"
            "    return func.HttpResponse(str(model.predict([[1]])))\n",
            "Azure Function serving a model loaded with joblib.load()",
        ),
        (
            "functions/score/main.py",
            "import functions_framework\nimport joblib\n\nmodel = joblib.load('m.joblib')\n\n\n"
            "@functions_framework.http\ndef score(request):\n"
            "    return str(model.predict([[1]]))\n",
            "Google Cloud Function serving a model loaded with joblib.load()",
        ),
    ],
)
def test_a_serverless_function_that_loads_a_model_serves_it(
    make_repo: MakeRepo, path: str, text: str, detail: str
) -> None:
    assert found(make_repo({path: text}), "model_serving_present") == {("found", path, detail)}


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # a Lambda that starts a pipeline loads no model
        (
            "lambda/start.py",
            "import boto3\n\n\ndef lambda_handler(event, context):\n"
            "    boto3.client('sagemaker').start_pipeline_execution(PipelineName='p')\n",
        ),
        # a logging handler beside a model load, in a module no platform calls
        (
            "src/train.py",
            LAMBDA_SERVING.replace("lambda_handler(event, context)", "handler(record)").replace(
                'json.loads(event["body"])["rows"]', "record"
            ),
        ),
        # test code
        ("tests/test_lambda.py", LAMBDA_SERVING),
        # a handler in a folder whose name only starts like a function's
        (
            "functional/main.py",
            CLOUD_FUNCTION.replace("    body = request.get_json()\n", "    body = request\n"),
        ),
        # Azure Functions imported beside a model load, with no HTTP function
        (
            "src/utils.py",
            "import azure.functions as func\nimport torch\n\nmodel = torch.load('m.pt')\n",
        ),
        # a queue consumer that unpickles its messages loads no model
        (
            "lambda/consumer.py",
            "import pickle\n\n\ndef lambda_handler(event, context):\n"
            "    return [pickle.loads(r['body']) for r in event['Records']]\n",
        ),
    ],
)
def test_near_miss_functions_that_serve_no_model(make_repo: MakeRepo, path: str, text: str) -> None:
    assert found(make_repo({path: text}), "model_serving_present") == set()


# ------------------------------------------------------------------ locks written otherwise
EXPLICIT_LOCK = """\
# Generated by conda-lock.
# platform: linux-64
@EXPLICIT
https://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.4-py311h64a7726_0.conda#a502d7aad
https://conda.anaconda.org/conda-forge/noarch/pandas-2.2.1-py311h320fe9a_0.conda#e44ccb61b
"""


def test_an_explicit_conda_environment_and_a_constraints_file_pin(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "environment-linux-64.lock": EXPLICIT_LOCK,
            "constraints.txt": "numpy==1.26.4\npandas==2.2.1\nscikit-learn==1.4.2\n",
        }
    )
    assert found(root, "dependencies_pinned") == {
        ("found", "environment-linux-64.lock", "explicit conda lock environment-linux-64.lock"),
        ("found", "constraints.txt", "all 3 dependencies pinned"),
    }


def test_near_miss_lock_files_of_other_tools_and_ranges(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            # a pipeline's lock, named like an environment's, with no package in it
            "environment.lock": "schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n",
            "constraints.txt": "numpy>=1.26\npandas>=2.0\nscikit-learn==1.4.2\n",
        }
    )
    assert found(root, "dependencies_pinned") == {
        ("partial", "constraints.txt", "1 of 3 dependencies pinned")
    }


# a script that starts a run of the platform's pipeline by name, defined in another module
KFP_STARTER = """\
import kfp

client = kfp.Client(host=HOST)
client.create_run_from_pipeline_package("training_pipeline.yaml", arguments={"epochs": 3})
"""
KFP_TRAINING_PIPELINE = """\
from kfp import dsl

@dsl.component
def train(data: str) -> str:
    return data

@dsl.pipeline(name="training")
def training_pipeline(data: str):
    train(data=data)
"""
GHA_STARTS_A_RUN = """\
on: push
jobs:
  ct:
    runs-on: ubuntu-latest
    steps:
      - run: pip install kfp
      - run: python scripts/start_run.py --env dev
"""


def test_ci_running_a_script_that_starts_a_pipeline_run_trains(make_repo: MakeRepo) -> None:
    files = {
        "pipelines/training_pipeline.py": KFP_TRAINING_PIPELINE,
        "scripts/start_run.py": KFP_STARTER,
        ".github/workflows/ct.yml": GHA_STARTS_A_RUN,
    }
    assert found(make_repo(files), "training_runs_in_ci") == {
        (
            "found",
            ".github/workflows/ct.yml",
            "github-actions job 'ct' runs scripts/start_run.py, which starts a pipeline run "
            "(client.create_run_from_pipeline_package)",
        )
    }


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"pipelines/training_pipeline.py": None}, "no pipeline of the repository trains"),
        (
            {"scripts/start_run.py": "import kfp\nkfp.compiler.Compiler().compile(p, 'p.yaml')\n"},
            "the script only compiles a definition",
        ),
        (
            {"scripts/start_run.py": "import json\nprint(json.dumps({'run': 1}))\n"},
            "the script starts nothing",
        ),
        (
            {".github/workflows/ct.yml": GHA_STARTS_A_RUN.replace(
                "python scripts/start_run.py --env dev", "ruff check scripts/start_run.py")},
            "the step only lints the script",
        ),
        (
            {"scripts/start_run.py": KFP_STARTER.replace(
                "training_pipeline.yaml", "batch_predict_pipeline.yaml")},
            "the run it starts scores",
        ),
        (
            {"scripts/start_run.py": None, "scripts/start_batch.py": KFP_STARTER,
             ".github/workflows/ct.yml": GHA_STARTS_A_RUN.replace("start_run", "start_batch")},
            "the script is named for scoring",
        ),
        (
            {"scripts/start_run.py": "def should_retrain():\n    return False\n\n"
                                     "print(should_retrain())\n"},
            "a function of its own named for retraining starts nothing on a platform",
        ),
        (
            {"scripts/start_run.py": None, "tests/start_run.py": KFP_STARTER,
             ".github/workflows/ct.yml": GHA_STARTS_A_RUN.replace("scripts/", "tests/")},
            "a test's script",
        ),
    ],
)
def test_near_miss_a_script_run_by_ci_that_starts_no_training_run(
    make_repo: MakeRepo, change: dict[str, str | None], why: str
) -> None:
    files: dict[str, str | None] = {
        "pipelines/training_pipeline.py": KFP_TRAINING_PIPELINE,
        "scripts/start_run.py": KFP_STARTER,
        ".github/workflows/ct.yml": GHA_STARTS_A_RUN,
        **change,
    }
    kept = {k: v for k, v in files.items() if v is not None}
    assert found(make_repo(kept), "training_runs_in_ci") == set(), why
