"""A file a CI step names is not always a file it runs: a cache key hashes the pre-commit
config, ``git add`` commits a ConfigMap, a path filter lists manifests, ``cfn-lint`` and
``mkdocs`` read a template and a site config, ``yq`` edits Helm values. None of them trains,
whatever those files say; the step that runs the script still does. Data copied to a bucket's
``train/`` prefix, or a platform's training jobs listed and stopped, is no training either.

Shapes written from public repositories' workflows; each near miss sits beside its case and
every test asserts the exact findings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlkaizen.evidence.detectors import REGISTRY
from mlkaizen.evidence.detectors.step_kinds import EVALUATE, does
from mlkaizen.evidence.tree import RepoTree
from tests.conftest import MakeRepo
from tests.evidence.test_work_and_triggers import KFP_TRAINING_PIPELINE as KFP_TRAINING

CI = ".github/workflows/ci.yml"
# a file that, were it run, would train: each case below names it without running it
TRAINING_YAML = "steps:\n  - run: python src/training/train.py --epochs 20\n"


def trained(root: Path) -> set[tuple[str, str, str]]:
    tree = RepoTree(root)
    return {
        (f.outcome.value, f.file or "", f.detail)
        for f in REGISTRY["training_runs_in_ci"].detect(tree)
    }


def workflow(*steps: str) -> str:
    body = "".join(f"      - {s}\n" for s in steps)
    return (
        "on: {push: {branches: [main]}}\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
        f"    steps:\n      - uses: actions/checkout@v4\n{body}"
    )


@pytest.mark.parametrize(
    ("step", "named"),
    [
        # a cache key hashes the file
        (
            "uses: actions/cache@v4\n        with:\n          path: ~/.cache/pre-commit\n"
            "          key: pc-${{ hashFiles('.pre-commit-config.yaml') }}",
            ".pre-commit-config.yaml",
        ),
        # git commits it
        ("run: git add k8s/configmap.yaml && git commit -m 'update'", "k8s/configmap.yaml"),
        # a path filter lists it
        (
            "uses: dorny/paths-filter@v3\n        with:\n          filters: |\n"
            "            trainer:\n              - 'services/training/**'\n"
            "              - 'k8s/trainer.yaml'",
            "k8s/trainer.yaml",
        ),
        # a linter, a docs site and a YAML editor read it
        ("run: uv run cfn-lint --template ./stack.yaml", "stack.yaml"),
        (
            "run: uv run --no-sync mkdocs gh-deploy --config-file docs/mkdocs.yaml",
            "docs/mkdocs.yaml",
        ),
        ("run: yq -i '.image.tag = \"1.2\"' chart/values.yaml", "chart/values.yaml"),
        ("run: helm upgrade --install app ./chart -f chart/values.yaml", "chart/values.yaml"),
        # an action's input names it
        (
            "uses: stelligent/cfn_nag@master\n        with:\n          input_path: ./stack.yaml",
            "stack.yaml",
        ),
    ],
)
def test_a_file_the_step_only_names_is_not_what_it_runs(
    make_repo: MakeRepo, step: str, named: str
) -> None:
    root = make_repo({CI: workflow(step), named: TRAINING_YAML, "src/training/train.py": "x=1\n"})
    assert trained(root) == set()


@pytest.mark.parametrize(
    ("step", "named"),
    [
        # near misses: the same files, run
        ("run: bash ci/train.sh", "ci/train.sh"),
        ("run: az ml job create -f jobs/train.yml", "jobs/train.yml"),
        ("run: git fetch --depth 1 && bash ci/train.sh", "ci/train.sh"),
        ("run: kubectl apply -f k8s/trainer.yaml", "k8s/trainer.yaml"),
    ],
)
def test_near_miss_a_file_the_step_runs_is_read(make_repo: MakeRepo, step: str, named: str) -> None:
    root = make_repo({CI: workflow(step), named: TRAINING_YAML, "src/training/train.py": "x=1\n"})
    assert trained(root) == {("found", CI, "github-actions job 'build' trains a model")}


def test_editing_values_with_yq_evaluates_nothing() -> None:
    assert not does(EVALUATE, 'yq eval ".version = \\"1.2\\"" -i chart/Chart.yaml')
    assert does(EVALUATE, "yq -r .threshold params.yaml && python evaluate.py")


# ------------------------------------------------------------------ a script run as a module
KFP_STARTER = """\
import kfp

kfp.Client(host=HOST).create_run_from_pipeline_package("training.yaml", arguments={})
"""


@pytest.mark.parametrize(
    ("module", "file"),
    [
        ("scripts.start_run", "scripts/start_run.py"),
        ("launcher", "src/launcher/__main__.py"),
    ],
)
def test_ci_running_a_module_that_starts_a_pipeline_run_trains(
    make_repo: MakeRepo, module: str, file: str
) -> None:
    step = f"run: python -u -m {module} --env dev"
    root = make_repo(
        {CI: workflow(step), "pipelines/training.py": KFP_TRAINING, file: KFP_STARTER}
    )
    assert trained(root) == {
        (
            "found",
            CI,
            f"github-actions job 'build' runs {file}, which starts a pipeline run "
            "(kfp.Client().create_run_from_pipeline_package)",
        )
    }


@pytest.mark.parametrize(
    "step",
    [
        "run: python -m pip install kfp",  # an installed tool, not the repository's module
        "run: python -m scripts.start_batch",  # the repository holds no such module
        "run: python -m py_compile scripts/start_run.py",  # compiled, not run
    ],
)
def test_near_miss_a_module_ci_does_not_run_from_the_repository(
    make_repo: MakeRepo, step: str
) -> None:
    root = make_repo(
        {
            CI: workflow(step),
            "pipelines/training.py": KFP_TRAINING,
            "scripts/start_run.py": KFP_STARTER,
        }
    )
    assert trained(root) == set()


# ------------------------------------------------------------------ the folder a step runs in
TRAINING_RUN = "#!/bin/sh\npython train_model.py --epochs 20\n"


@pytest.mark.parametrize(
    "workflow_text",
    [
        # the step's working directory
        workflow("name: go\n        working-directory: training\n        run: bash run.sh"),
        # the job's default one
        workflow("run: bash run.sh").replace(
            "    runs-on: ubuntu-latest\n",
            "    runs-on: ubuntu-latest\n    defaults: {run: {working-directory: training}}\n",
        ),
        # the workflow's default one
        "defaults: {run: {working-directory: training}}\n" + workflow("run: bash run.sh"),
        # a folder the command changes to first
        workflow("run: cd training && bash run.sh"),
        workflow("run: |\n          pushd ./training\n          bash ./run.sh"),
    ],
)
def test_a_script_named_from_the_folder_the_step_runs_in_is_read(
    make_repo: MakeRepo, workflow_text: str
) -> None:
    root = make_repo({CI: workflow_text, "training/run.sh": TRAINING_RUN})
    assert trained(root) == {("found", CI, "github-actions job 'build' trains a model")}


@pytest.mark.parametrize(
    "workflow_text",
    [
        workflow("run: bash run.sh"),  # from the checkout's root: no such script
        workflow("name: go\n        working-directory: docs\n        run: bash run.sh"),
        workflow("run: cd docs && bash run.sh"),
        workflow("run: bash run.sh && cd training"),  # the folder is changed after
    ],
)
def test_near_miss_the_same_script_name_from_another_folder(
    make_repo: MakeRepo, workflow_text: str
) -> None:
    root = make_repo({CI: workflow_text, "training/run.sh": TRAINING_RUN, "docs/x.md": "x"})
    assert trained(root) == set()


AZURE_STEP = """\
trigger: [main]
pool: {vmImage: ubuntu-latest}
steps:
  - script: bash run.sh
    displayName: train
    workingDirectory: training
"""


def test_an_azure_step_working_directory_is_read(make_repo: MakeRepo) -> None:
    root = make_repo({"azure-pipelines.yml": AZURE_STEP, "training/run.sh": TRAINING_RUN})
    assert {(o, f) for o, f, _ in trained(root)} == {("found", "azure-pipelines.yml")}
    near = AZURE_STEP.replace("workingDirectory: training", "workingDirectory: docs")
    root = make_repo({"azure-pipelines.yml": near, "training/run.sh": TRAINING_RUN})
    assert trained(root) == set()


def test_a_module_is_found_in_the_folder_the_step_runs_in(make_repo: MakeRepo) -> None:
    step = "name: go\n        working-directory: ml\n        run: python -m launch"
    root = make_repo(
        {CI: workflow(step), "ml/pipelines/training.py": KFP_TRAINING, "ml/launch.py": KFP_STARTER}
    )
    assert trained(root) == {
        (
            "found",
            CI,
            "github-actions job 'build' runs ml/launch.py, which starts a pipeline run "
            "(kfp.Client().create_run_from_pipeline_package)",
        )
    }


# ------------------------------------------------------------------ a state machine started
SFN_HANDLER = """\
import os
import boto3

sfn = boto3.client("stepfunctions")

def handler(event, context):
    key = event["Records"][0]["s3"]["object"]["key"]
    return sfn.start_execution(stateMachineArn=os.environ["TRAINING_SFN"], input=key)
"""
SFN_TRAINING = """\
{"StartAt": "Train",
 "States": {"Train": {"Type": "Task",
   "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync", "End": true}}}
"""


def test_a_handler_that_starts_a_training_state_machine_retrains(make_repo: MakeRepo) -> None:
    files = {"lambda/trigger/index.py": SFN_HANDLER, "sfn/training.asl.json": SFN_TRAINING}
    root = make_repo(files)
    found = {
        (f.outcome.value, f.file, f.detail)
        for f in REGISTRY["training_triggered_by_event"].detect(RepoTree(root))
    }
    assert found == {
        (
            "found",
            "lambda/trigger/index.py",
            "event handler starts a training pipeline run: sfn.start_execution()",
        )
    }


@pytest.mark.parametrize(
    "files",
    [
        # the handler only reads an execution
        {
            "lambda/trigger/index.py": SFN_HANDLER.replace(
                "start_execution(", "describe_execution("
            ),
            "sfn/training.asl.json": SFN_TRAINING,
        },
        # no pipeline of the repository trains
        {
            "lambda/trigger/index.py": SFN_HANDLER,
            "sfn/scoring.asl.json": SFN_TRAINING.replace("createTrainingJob", "createTransformJob"),
        },
    ],
)
def test_near_miss_a_handler_that_starts_no_training(
    make_repo: MakeRepo, files: dict[str, str]
) -> None:
    found = REGISTRY["training_triggered_by_event"].detect(RepoTree(make_repo(files)))
    assert found == []


# ------------------------------------------------------------------ a second reading
def test_the_working_directory_s_script_wins_over_a_root_one_of_the_same_name(
    make_repo: MakeRepo,
) -> None:
    text = workflow("name: go\n        working-directory: training\n        run: bash run.sh")
    root = make_repo(
        {CI: text, "run.sh": "echo deploying docs\n", "training/run.sh": TRAINING_RUN}
    )
    assert trained(root) == {("found", CI, "github-actions job 'build' trains a model")}


def test_the_workspace_variable_of_a_working_directory_is_the_checkout(
    make_repo: MakeRepo,
) -> None:
    step = (
        "name: go\n        working-directory: ${{ github.workspace }}/training\n"
        "        run: bash run.sh"
    )
    root = make_repo({CI: workflow(step), "training/run.sh": TRAINING_RUN})
    assert trained(root) == {("found", CI, "github-actions job 'build' trains a model")}


def test_a_sub_project_reads_its_own_folder_s_working_directory(make_repo: MakeRepo) -> None:
    from mlkaizen.evidence.tree import SubTree

    step = "name: go\n        working-directory: ml/training\n        run: bash run.sh"
    root = make_repo({CI: workflow(step), "ml/training/run.sh": TRAINING_RUN})
    project = SubTree(RepoTree(root), "ml", [CI])
    found = {f.detail for f in REGISTRY["training_runs_in_ci"].detect(project)}
    assert found == {"github-actions job 'build' trains a model"}


def test_a_job_file_on_a_continued_line_is_read(make_repo: MakeRepo) -> None:
    step = "run: |\n          kubectl apply -n ml -f \\\n            k8s/fit-job.yaml"
    root = make_repo({CI: workflow(step), "k8s/fit-job.yaml": TRAINING_YAML})
    assert trained(root) == {("found", CI, "github-actions job 'build' trains a model")}


@pytest.mark.parametrize(
    ("text", "keeps"),
    [
        ("kfp run submit -e churn -r nightly -f pipeline.yaml", True),
        ('sm = boto3.client("sagemaker")\nsm.create_training_job(TrainingJobName=n)', True),
        ("from sagemaker.estimator import Estimator", True),
        ('"""Packages the model for\nSageMaker Batch Transform."""', False),
        ("pip install kfp", False),
    ],
)
def test_what_submits_a_run_to_a_platform_keeps_it(text: str, keeps: bool) -> None:
    from mlkaizen.evidence.detectors.step_kinds import KEEP

    assert bool(KEEP.search(text)) is keeps


def test_a_handler_that_starts_another_state_machine_retrains_nothing(make_repo: MakeRepo) -> None:
    # a SageMaker pipeline trains; the state machine the handler starts is not shown to
    sm_pipeline = (
        "from sagemaker.workflow.pipeline import Pipeline\n"
        "from sagemaker.workflow.steps import TrainingStep\n"
        "step = TrainingStep(name='Train', estimator=est)\n"
        "pipeline = Pipeline(name='p', steps=[step])\n"
    )
    files = {"pipelines/pipeline.py": sm_pipeline, "lambdas/ocr/handler.py": SFN_HANDLER}
    assert REGISTRY["training_triggered_by_event"].detect(RepoTree(make_repo(files))) == []
