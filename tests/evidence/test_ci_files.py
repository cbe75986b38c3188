"""CI recognised by content anywhere in the tree, with references between files followed.

The extracts are short and hand-written after the layout of public repositories: an Azure
Pipelines folder with templates (microsoft/MLOpsPython), a Cloud Build file that tests and
deploys a Vertex AI pipeline (GoogleCloudPlatform/mlops-with-vertex-ai), and the usual shapes
of GitLab includes, Jenkins declarative pipelines, Drone, Buildkite, Tekton and Argo.
"""

from __future__ import annotations

import pytest

from mlkaizen.evidence.detectors import REGISTRY
from mlkaizen.evidence.detectors.documents import ci_pipelines
from mlkaizen.evidence.findings import Outcome
from mlkaizen.evidence.tree import RepoTree
from tests.conftest import MakeRepo

Files = dict[str, str | bytes]

# ---------------------------------------------------------------- Azure Pipelines folder
AZ_CI = """\
# Model CI: builds the training pipeline, then trains and registers the model
pr: none
trigger:
  branches:
    include: [main]
  paths:
    include:
      - diabetes/
      - data/diabetes.csv
variables:
  - template: variables-template.yml
  - group: aml-vg
stages:
  - stage: Model_CI
    jobs:
      - job: Build
        steps:
          - template: code-quality-template.yml
          - task: AzureCLI@1
            displayName: Publish training pipeline
            inputs:
              inlineScript: |
                python -m ml_service.pipelines.build_train_pipeline
  - stage: Train
    jobs:
      - job: Run
        steps:
          - task: AzureCLI@1
            inputs:
              inlineScript: python -m ml_service.pipelines.run_train_pipeline
"""
AZ_QUALITY = """\
# template: lint and unit tests
steps:
- script: flake8 --output-file=lint-testresults.xml
  displayName: Run lint tests
- script: python -m pytest . --cov=diabetes
  displayName: Run unit tests
"""
AZ_PR = """\
trigger: none
pr:
  branches:
    include: [main]
steps:
- template: code-quality-template.yml
"""
AZ_VARS = "variables:\n  - name: MODEL_NAME\n    value: diabetes.pkl\n"
AZURE_FOLDER: Files = {
    ".pipelines/model-ci.yml": AZ_CI,
    ".pipelines/code-quality-template.yml": AZ_QUALITY,
    ".pipelines/pr.yml": AZ_PR,
    ".pipelines/variables-template.yml": AZ_VARS,
}


def _where(findings: list) -> set[tuple[str, int | None, str]]:  # type: ignore[type-arg]
    return {(f.file, f.line, f.outcome.value) for f in findings}


def test_azure_folder_pipelines_follow_their_templates(make_repo: MakeRepo) -> None:
    tree = RepoTree(make_repo(AZURE_FOLDER))
    pipes = ci_pipelines(tree)
    assert [(p.provider, p.file) for p in pipes] == [
        ("azure-pipelines", ".pipelines/model-ci.yml"),
        ("azure-pipelines", ".pipelines/pr.yml"),
    ]
    ci, pr = pipes
    assert ci.triggers == {"push"} and ci.trigger_paths == ["diabetes/", "data/diabetes.csv"]
    assert pr.triggers == {"pull_request"}
    # the template's steps count, findings point into the template, once for both users
    assert [(f.file, f.line) for f in REGISTRY["tests_run_in_ci"].detect(tree)] == [
        (".pipelines/code-quality-template.yml", 5),
    ]
    assert _where(REGISTRY["lint_runs_in_ci"].detect(tree)) == {
        (".pipelines/code-quality-template.yml", 3, "found"),
    }
    # both jobs run training: build_train_pipeline (line 19) and run_train_pipeline (28)
    assert _where(REGISTRY["training_runs_in_ci"].detect(tree)) == {
        (".pipelines/model-ci.yml", 19, "found"),
        (".pipelines/model-ci.yml", 28, "found"),
    }
    assert _where(REGISTRY["training_triggered_by_event"].detect(tree)) == {
        (".pipelines/model-ci.yml", 19, "found"),
    }
    assert tree.warnings == []


def _chain(n: int) -> Files:
    """root.yml -> t1.yml -> ... -> t<n>.yml, each template running `pytest -k t<i>`."""
    files: Files = {"ci/root.yml": "trigger: [main]\nsteps:\n- template: t1.yml\n"}
    for i in range(1, n + 1):
        nxt = f"- template: t{i + 1}.yml\n" if i < n else ""
        files[f"ci/t{i}.yml"] = f"steps:\n- script: echo t{i}\n{nxt}"
    files[f"ci/t{n}.yml"] = f"steps:\n- script: pytest -k t{n}\n"
    return files


def test_azure_templates_are_followed_two_levels(make_repo: MakeRepo) -> None:
    assert _where(REGISTRY["tests_run_in_ci"].detect(RepoTree(make_repo(_chain(2))))) == {
        ("ci/t2.yml", 2, "found")
    }
    assert REGISTRY["tests_run_in_ci"].detect(RepoTree(make_repo(_chain(3)))) == []


def test_azure_template_cycles_and_escapes_are_refused(make_repo: MakeRepo) -> None:
    tree = RepoTree(make_repo({
        "ci/a.yml": "trigger: [main]\nsteps:\n- template: b.yml\n- template: ../../etc/x.yml\n"
                    "- template: steps/test.yml@shared\n",
        "ci/b.yml": "steps:\n- script: pytest\n- template: a.yml\n",
    }))
    assert _where(REGISTRY["tests_run_in_ci"].detect(tree)) == {("ci/b.yml", 2, "found")}
    assert sorted((w.file, w.detail) for w in tree.warnings) == [
        ("ci/a.yml", "Azure Pipelines template '../../etc/x.yml' points outside the repository;"
                     " not followed"),
        ("ci/b.yml", "Azure Pipelines template 'a.yml' refers back to a file that includes it"
                     " (a cycle); not followed"),
    ]


def test_azure_schedules_and_deployment_jobs(make_repo: MakeRepo) -> None:
    tree = RepoTree(make_repo({"build/retrain.yaml": (
        "trigger: none\nschedules:\n- cron: '0 3 * * 0'\n  branches: {include: [main]}\n"
        "jobs:\n- deployment: Deploy\n  environment: production\n  strategy:\n    runOnce:\n"
        "      deploy:\n        steps:\n        - script: python train.py\n"
        "        - script: az ml online-deployment update -f d.yml\n")}))
    [pipe] = ci_pipelines(tree)
    assert pipe.scheduled and pipe.triggers == set()
    assert _where(REGISTRY["training_scheduled"].detect(tree)) == {
        ("build/retrain.yaml", 12, "found")
    }
    assert _where(REGISTRY["deployment_approval_gates"].detect(tree)) == {
        ("build/retrain.yaml", 6, "found")
    }


# ---------------------------------------------------------------- Cloud Build
CLOUD_BUILD = """\
# CI/CD: test, compile and deploy a TFX pipeline to Vertex AI
steps:
- name: 'gcr.io/cloud-builders/git'
  args: ['clone', '--depth', '1', '$_REPO_URL']
  id: Clone
- name: '$_CICD_IMAGE_URI'
  entrypoint: 'pytest'
  args: ['src/tests/model_tests.py', '-s']
  id: Unit Test Model
- name: '$_CICD_IMAGE_URI'
  entrypoint: 'python'
  args: ['build/utils.py', '--mode', 'run-pipeline', '--pipeline-name', 'train']
  id: Run Training Pipeline
- name: 'gcr.io/cloud-builders/gcloud'
  args: ['ai', 'endpoints', 'deploy-model', '$_ENDPOINT', '--model', '$_MODEL']
  id: Deploy Model
images: ['$_CICD_IMAGE_URI']
"""


def test_cloud_build_anywhere(make_repo: MakeRepo) -> None:
    tree = RepoTree(make_repo({"build/pipeline-deployment.yaml": CLOUD_BUILD}))
    assert [(p.provider, p.file) for p in ci_pipelines(tree)] == [
        ("cloud-build", "build/pipeline-deployment.yaml")
    ]
    assert _where(REGISTRY["tests_run_in_ci"].detect(tree)) == {
        ("build/pipeline-deployment.yaml", 6, "found")
    }
    assert _where(REGISTRY["deployment_runs_in_ci"].detect(tree)) == {
        ("build/pipeline-deployment.yaml", 14, "found")
    }


@pytest.mark.parametrize(("script", "trains"), [
    # ``bash -c`` runs its script: the script's first word is the command, not ``-c``
    ("dsl-compile --py train_pipeline.py --output train.tar.gz", False),
    ("python train.py --epochs 3", True),
])
@pytest.mark.parametrize("options", ["  - '-c'\n", "  - '-e'\n  - '-c'\n"])
def test_cloud_build_shell_script_step(make_repo: MakeRepo, script: str, trains: bool,
                                       options: str) -> None:
    doc = ("steps:\n- name: 'gcr.io/deeplearning-platform-release/base-cpu'\n"
           f"  entrypoint: bash\n  args:\n{options}  - |\n"
           f"    {script}\n")
    tree = RepoTree(make_repo({"cloudbuild.yaml": doc}))
    (pipe,) = ci_pipelines(tree)
    assert pipe.jobs[0].steps[0].run.strip() == script
    found = REGISTRY["training_runs_in_ci"].detect(tree)
    assert bool([f for f in found if f.outcome is Outcome.FOUND]) is trains


def test_cloud_build_python_c_keeps_its_interpreter(make_repo: MakeRepo) -> None:
    # near miss: ``python3 -c`` runs code, not a shell script: the command keeps python3
    doc = ("steps:\n- name: 'python:3.11'\n  entrypoint: python3\n"
           "  args: ['-c', 'from trainer.task import main; main()']\n")
    (pipe,) = ci_pipelines(RepoTree(make_repo({"cloudbuild.yaml": doc})))
    assert pipe.jobs[0].steps[0].run == "python3 -c from trainer.task import main; main()"


def test_cloudbuild_named_file_accepts_bare_image_names(make_repo: MakeRepo) -> None:
    tree = RepoTree(make_repo({"cloudbuild.yaml": "steps:\n- name: python\n"
                                                  "  entrypoint: pytest\n"}))
    assert [p.provider for p in ci_pipelines(tree)] == ["cloud-build"]


# ---------------------------------------------------------------- other providers
JENKINSFILE = """\
pipeline {
    agent any
    triggers { cron('H 2 * * 1') }
    stages {
        stage('Test') {
            steps {
                sh 'pip install -r requirements.txt'
                sh "python -m pytest tests"
            }
        }
        stage('Train') {
            steps {
                sh '''
                    dvc repro train
                '''
            }
        }
        stage('Deploy') {
            input { message "Deploy to production?" }
            steps { sh 'kubectl apply -f k8s/' }
        }
    }
}
"""
GITLAB_ROOT = """\
include:
  - local: ci/train.yml
  - project: group/templates
    file: /python.yml
  - local: ../outside.yml
stages: [test, train]
unit:
  stage: test
  script: [pytest]
"""
GITLAB_TRAIN = """\
nightly:
  stage: train
  rules:
    - if: '$CI_PIPELINE_SOURCE == "schedule"'
  script:
    - python train.py
"""
DRONE = """\
kind: pipeline
type: docker
name: default
steps:
- name: test
  image: python:3.11
  commands:
  - pip install -r requirements.txt
  - pytest
"""
BUILDKITE = """\
steps:
  - label: ":python: tests"
    command: "pytest -q"
  - block: "Release?"
  - label: ":rocket: deploy"
    command: "helm upgrade --install churn chart/"
"""
TEKTON = """\
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: unit-tests
spec:
  steps:
    - name: pytest
      image: python:3.11
      script: |
        pip install -r requirements.txt
        python -m pytest
"""
ARGO = """\
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: retrain
spec:
  schedule: "0 4 * * *"
  workflowSpec:
    entrypoint: train
    templates:
      - name: train
        container:
          image: churn:latest
          command: [python, train.py]
"""
COMPOSITE = {
    ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
                                "    steps:\n      - uses: ./.github/actions/checks\n",
    ".github/actions/checks/action.yml": "name: checks\nruns:\n  using: composite\n  steps:\n"
                                         "    - run: ruff check .\n      shell: bash\n"
                                         "    - run: pytest\n      shell: bash\n",
}


@pytest.mark.parametrize(("files", "provider", "detector", "expected"), [
    ({"Jenkinsfile": JENKINSFILE}, "jenkins", "tests_run_in_ci", {("Jenkinsfile", 8, "found")}),
    ({"Jenkinsfile": JENKINSFILE}, "jenkins", "training_scheduled",
     {("Jenkinsfile", 13, "found")}),
    ({"Jenkinsfile": JENKINSFILE}, "jenkins", "deployment_runs_in_ci",
     {("Jenkinsfile", 20, "partial")}),
    ({".gitlab-ci.yml": GITLAB_ROOT, "ci/train.yml": GITLAB_TRAIN}, "gitlab-ci",
     "training_scheduled", {("ci/train.yml", 2, "found")}),
    ({".gitlab-ci.yml": GITLAB_ROOT, "ci/train.yml": GITLAB_TRAIN}, "gitlab-ci",
     "tests_run_in_ci", {(".gitlab-ci.yml", 8, "found")}),
    ({".drone.yml": DRONE}, "drone", "tests_run_in_ci", {(".drone.yml", 5, "found")}),
    ({".buildkite/pipeline.yml": BUILDKITE}, "buildkite", "tests_run_in_ci",
     {(".buildkite/pipeline.yml", 2, "partial")}),
    ({".buildkite/pipeline.yml": BUILDKITE}, "buildkite", "deployment_runs_in_ci",
     {(".buildkite/pipeline.yml", 5, "partial")}),
    ({"ci/tasks/test.yaml": TEKTON}, "tekton", "tests_run_in_ci",
     {("ci/tasks/test.yaml", 7, "found")}),
    # an Argo workflow that trains is a pipeline that trains (on its schedule), not CI
    ({"workflows/retrain.yaml": ARGO}, "argo-workflows", "training_runs_in_ci", set()),
    ({"workflows/retrain.yaml": ARGO}, "argo-workflows", "training_in_pipeline",
     {("workflows/retrain.yaml", 10, "found")}),
    # a data check in one is the pipeline's (data_validation_in_pipeline reads it)...
    ({"workflows/v.yaml": ARGO.replace("[python, train.py]",
                                       "[great_expectations, checkpoint, run, raw]")},
     "argo-workflows", "data_validation_runs_in_ci", set()),
    ({"workflows/v.yaml": ARGO.replace("[python, train.py]",
                                       "[great_expectations, checkpoint, run, raw]")},
     "argo-workflows", "data_validation_in_pipeline", {("workflows/v.yaml", 10, "found")}),
    # ...but an evaluation stays one: no pipeline detector reads it
    ({"workflows/eval.yaml": ARGO.replace("train.py", "evaluate.py")}, "argo-workflows",
     "evaluation_runs_in_ci", {("workflows/eval.yaml", 10, "found")}),
    # a Tekton task is CI: what it evaluates, CI evaluates
    ({"ci/tasks/test.yaml": TEKTON.replace("python -m pytest", "python evaluate.py")}, "tekton",
     "evaluation_runs_in_ci", {("ci/tasks/test.yaml", 7, "found")}),
    (COMPOSITE, "github-actions", "tests_run_in_ci", {(".github/workflows/ci.yml", 6, "found")}),
    (COMPOSITE, "github-actions", "lint_runs_in_ci", {(".github/workflows/ci.yml", 6, "found")}),
])
def test_providers_by_content(make_repo: MakeRepo, files: Files, provider: str, detector: str,
                              expected: set[tuple[str, int, str]]) -> None:
    tree = RepoTree(make_repo(files))
    assert {p.provider for p in ci_pipelines(tree)} == {provider}
    assert _where(REGISTRY[detector].detect(tree)) == expected


def test_gitlab_include_outside_the_root_is_refused(make_repo: MakeRepo) -> None:
    tree = RepoTree(make_repo({".gitlab-ci.yml": GITLAB_ROOT, "ci/train.yml": GITLAB_TRAIN}))
    [pipe] = ci_pipelines(tree)
    assert [(j.name, j.file) for j in pipe.jobs] == [("unit", ""), ("nightly", "ci/train.yml")]
    assert [w.detail for w in tree.warnings] == [
        "GitLab include '../outside.yml' points outside the repository; not followed"
    ]


# ---------------------------------------------------------------- near misses
@pytest.mark.parametrize("files", [
    # a tutorial's list of steps, with scripts, is not a pipeline
    {"docs/tutorial.yml": "steps:\n  - title: Install\n    script: pip install x\n"
                          "  - title: Test\n    script: pytest\n"},
    # a recipe whose steps have names, not images
    {"recipe.yaml": "steps:\n  - name: Train model\n    args: [--epochs, 3]\n"},
    {"pipeline.yaml": "steps:\n  - name: train\n    args: [--epochs, 3]\n"},
    # Buildkite-like commands outside .buildkite/ without any Buildkite key
    {"config/jobs.yml": "steps:\n  - command: pytest\n"},
    # DVC stages and GitLab-like stage lists are not Azure stages
    {"dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n"},
    {"ci.yml": "stages: [test, train]\njobs:\n  - name: t\n    run: pytest\n"},
    # a GitHub workflow outside .github/workflows is never run
    {"docs/ci.yml": "on: push\njobs:\n  t:\n    steps:\n      - run: pytest\n"},
    # Kubernetes and Argo CD objects are not workflows
    {"k8s/app.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec:\n"
                     "  source: {path: k8s}\n"},
    {"k8s/job.yaml": "apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n"
                     "      containers: [{name: t, command: [pytest]}]\n"},
    # Groovy that is not a pipeline
    {"Jenkinsfile": "// moved to GitHub Actions\n"},
    # an Azure template that no pipeline uses runs nowhere
    {"templates/test-steps.yml": "steps:\n- script: pytest\n"},
])
def test_near_misses_are_not_ci(make_repo: MakeRepo, files: Files) -> None:
    tree = RepoTree(make_repo(files))
    assert ci_pipelines(tree) == []
    assert REGISTRY["ci_configured"].detect(tree) == []


def test_only_yaml_with_telltale_keys_is_parsed(make_repo: MakeRepo) -> None:
    files: Files = {f"conf/c{i}.yaml": f"name: c{i}\nvalues: [1, 2]\n" for i in range(20)}
    files["cloudbuild.yaml"] = "steps:\n- name: python\n  entrypoint: pytest\n"
    tree = RepoTree(make_repo(files))
    ci_pipelines(tree)
    assert {rel for rel, kind in tree._parsed if kind == "yaml"} == {"cloudbuild.yaml"}


def test_repeated_template_references_are_bounded(make_repo: MakeRepo) -> None:
    from mlkaizen.evidence.parse import ci

    root = "trigger: [main]\nsteps:\n" + "- template: t.yml\n" * 500
    template = "steps:\n" + "- script: pytest\n" * 100  # 50,000 steps if nothing capped
    tree = RepoTree(make_repo({"ci/root.yml": root, "ci/t.yml": template}))
    [pipe] = ci_pipelines(tree)
    assert sum(len(j.steps) for j in pipe.jobs) <= ci.MAX_EXPANDED_STEPS


def test_a_codebuild_buildspec_is_a_pipeline_of_its_phase_commands(make_repo: MakeRepo) -> None:
    from mlkaizen.evidence.ci_files import find_pipelines

    root = make_repo({
        "build/buildspec.yml": "version: 0.2\nphases:\n  install:\n    commands:\n"
        "      - pip install -r requirements.txt\n  build:\n    commands:\n"
        "      - python pipelines/run_pipeline.py --train\n",
        # near miss: a YAML file with phases but no version is not a buildspec
        "notes/plan.yml": "phases:\n  build:\n    commands: [echo hi]\n",
    })
    pipes = find_pipelines(RepoTree(root))
    assert [(p.provider, p.file) for p in pipes] == [("codebuild", "build/buildspec.yml")]
    assert [s.run for s in pipes[0].jobs[0].steps] == [
        "pip install -r requirements.txt", "python pipelines/run_pipeline.py --train",
    ]


def test_jenkins_plugin_steps_are_steps(make_repo: MakeRepo) -> None:
    from mlkaizen.evidence.ci_files import find_pipelines

    root = make_repo({"Jenkinsfile": (
        "pipeline {\n  agent any\n  stages {\n    stage('Deploy') {\n      steps {\n"
        "        sh 'make build'\n        kubernetesDeploy(configs: 'k8s.yaml')\n"
        "        echo 'done'\n      }\n    }\n  }\n}\n"
    )})
    (pipe,) = find_pipelines(RepoTree(root))
    steps = [(s.line, s.run or s.uses) for j in pipe.jobs for s in j.steps]
    assert steps == [(6, "make build"), (7, "kubernetesDeploy(configs: 'k8s.yaml')")]


REUSABLE_TRAINING = """\
on:
  workflow_call:
    inputs:
      model: {type: string}
jobs:
  train:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python train.py --register
      - run: mlflow models register -m runs:/x/model -n churn
"""


def _weekly(make_repo: MakeRepo, uses: str,
            on: str = "schedule:\n    - cron: '0 3 * * 1'") -> list[tuple[str | None, str]]:
    """(file, outcome) of the scheduled-training findings of a repository whose workflow
    ``weekly.yml`` (started by ``on``) calls ``uses`` beside a local training workflow."""
    caller = f"on:\n  {on}\njobs:\n  weekly:\n    uses: {uses}\n    with: {{model: churn}}\n"
    root = make_repo(
        {".github/workflows/train.yml": REUSABLE_TRAINING, ".github/workflows/weekly.yml": caller}
    )
    found = REGISTRY["training_scheduled"].detect(RepoTree(root))
    return [(f.file, f.outcome.value) for f in found]


def test_a_reusable_workflow_runs_when_its_caller_does(make_repo: MakeRepo) -> None:
    local = "./.github/workflows/train.yml"
    assert _weekly(make_repo, local) == [(".github/workflows/weekly.yml", "found")]
    # called by nothing but a pull request's checks: no schedule
    assert _weekly(make_repo, local, on="pull_request:") == []


def test_near_miss_a_reusable_workflow_of_another_repository_is_not_read(
    make_repo: MakeRepo,
) -> None:
    # the name of the called workflow says training; what it keeps is not known here
    assert _weekly(make_repo, "acme/ml/.github/workflows/train.yml@v1") == [
        (".github/workflows/weekly.yml", "partial")
    ]


def test_near_miss_a_reusable_workflow_named_for_training_that_only_lints(
    make_repo: MakeRepo,
) -> None:
    lint = REUSABLE_TRAINING.replace(
        "      - run: python train.py --register\n"
        "      - run: mlflow models register -m runs:/x/model -n churn\n",
        "      - run: flake8 .\n",
    )
    caller = "on: push\njobs:\n  ci:\n    uses: ./.github/workflows/train-model.yml\n"
    root = make_repo(
        {".github/workflows/train-model.yml": lint, ".github/workflows/ci.yml": caller}
    )
    tree = RepoTree(root)
    assert REGISTRY["training_runs_in_ci"].detect(tree) == []
    assert REGISTRY["training_on_merge"].detect(tree) == []
