"""CI/CD: which provider, and what its pipelines actually run."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable

from mlkaizen.evidence.detectors.base import Detector, detector
from mlkaizen.evidence.detectors.documents import ci_pipelines, expand_make
from mlkaizen.evidence.detectors.stack_signs import signs_by_fact
from mlkaizen.evidence.detectors.step_kinds import (
    CML,
    DEPLOY,
    EVALUATE,
    INFRA,
    LINT,
    MATURITY,
    POLICY,
    TESTS,
    VALIDATE_DATA,
    does,
    ml_work,
)
from mlkaizen.evidence.findings import Finding, Outcome
from mlkaizen.evidence.parse.ci import Job, Pipeline, Step
from mlkaizen.evidence.tree import RepoTree

# workflow engines whose workflows are read as CI (they may run on a push), though in an ML
# repository they are mostly its pipelines: a step that trains there is a pipeline's step
ORCHESTRATORS = frozenset({"argo-workflows"})


def ci_steps_matching(
    tree: RepoTree,
    detector_id: str,
    pattern: re.Pattern[str],
    what: str,
    *,
    scheduled_only: bool = False,
    orchestrators: bool = True,
    unless: Callable[[str], bool] | None = None,
) -> list[Finding]:
    """One finding per CI job with a step whose command (the action or task it uses and the
    shell it runs, Makefile targets and scripts expanded) matches. A step's display name
    does not count: "Build Training docs" trains nothing. ``orchestrators=False`` leaves out
    the workflows of an orchestrator read as CI (:data:`ORCHESTRATORS`); ``unless`` leaves
    out a matching command it is true of."""
    out: list[Finding] = []
    for pipe in ci_pipelines(tree):
        if not orchestrators and pipe.provider in ORCHESTRATORS:
            continue
        for job in pipe.jobs:
            if scheduled_only and not (pipe.scheduled or job.scheduled):
                continue
            for step in job.steps:
                command = expand_make(tree, step_command(step), cwd=step.cwd)
                if does(pattern, command) and not (unless and unless(command)):
                    out.append(ci_step_finding(tree, detector_id, pipe, job, step, what=what))
                    break
    return _once_per_place(out)


def ci_step_finding(
    tree: RepoTree, detector_id: str, pipe: Pipeline, job: Job, step: Step, *, what: str
) -> Finding:
    """A finding at a CI step; ``partial`` when its job has to be started by hand."""
    manual = job.manual or (pipe.triggers == {"workflow_dispatch"})
    return tree.finding(
        detector_id,
        step.file or job.file or pipe.file,
        step.line,
        f"{pipe.provider} job {job.name!r} {what}" + (" (started by hand)" if manual else ""),
        Outcome.PARTIAL if manual else Outcome.FOUND,
        provider=pipe.provider,
    )


def _once_per_place(findings: list[Finding]) -> list[Finding]:
    kept: dict[tuple[str | None, int | None], Finding] = {}
    for f in findings:
        old = kept.get((f.file, f.line))
        if old is None or (old.outcome is Outcome.PARTIAL and f.outcome is Outcome.FOUND):
            kept[(f.file, f.line)] = f
    return list(kept.values())


def step_command(step: Step) -> str:
    """What a CI step runs: the action or task it uses and its shell, not its name."""
    return f"{step.uses}\n{step.run}"


@detector("ci_configured")
def ci_configured(tree: RepoTree) -> list[Finding]:
    """A CI service builds the repository on change.

    Why: every other ``*_in_ci`` fact is about what these pipelines run; without one, tests,
    training and deployment depend on someone remembering to start them.

    Pipelines are recognised by content, wherever they are: GitHub Actions (in
    ``.github/workflows``, local composite actions expanded), GitLab CI (``.gitlab-ci.yml``
    with ``include: local`` files), Azure Pipelines in any folder (``stages``/``jobs``/
    ``steps`` items, ``trigger``/``pr``/``pool``, versioned tasks; ``template:`` files
    followed two levels inside the repository), Google Cloud Build (steps that run images,
    e.g. ``gcr.io/cloud-builders/gcloud``), Jenkinsfile (declarative ``stage``s with ``sh``
    steps), CircleCI, Bitbucket, Buildkite, Drone, Tekton and Argo Workflows. A YAML file
    merely having a ``steps:`` key is not CI, and an Azure template counts inside the
    pipelines that use it.

    Example: ``.pipelines/model-ci.yml`` with ``trigger: [main]`` and a stage whose job runs
    ``- template: code-quality-template.yml``. To satisfy: commit the pipeline definition
    to the repository (not only in the CI service's UI).
    """
    return [
        tree.finding(
            "ci_configured",
            p.file,
            p.line,
            f"{p.provider}: triggers {', '.join(sorted(p.triggers)) or 'none'}",
            provider=p.provider,
        )
        for p in ci_pipelines(tree)
    ]


# ML work a pipeline step is read for as well (``data_validation_in_pipeline``): in an
# orchestrator's workflow it is the pipeline's. (An evaluation there stays evaluation: no
# pipeline detector reads it.)
_PIPELINE_WORK = frozenset({"data_validation_runs_in_ci"})


# a CI step that pulls a DVC-tracked dataset; a fetch from an object store is the packs'
# (``signs_by_fact()["data_remote_storage_configured"]``: ``aws s3 cp s3://...``, not a model
# file): what a later step of the same job reads is that data
_PULLS_DVC = re.compile(r"\bdvc\s+(?:pull|fetch|checkout|get|import)\b")


def _fetches_data(segment: str) -> bool:
    signs = signs_by_fact().get("data_remote_storage_configured")
    return bool(_PULLS_DVC.search(segment)) or any(
        pattern.search(segment) for _, pattern, _ in (signs.commands if signs else [])
    )


# a test module named for data (``tests/test_data.py``, ``test_dataset.py``,
# ``test_data_ingestion.py``; not ``test_dataloader.py`` or ``test_database.py``)
_DATA_TEST_MODULE = re.compile(r"(?<![\w.-])test_data(?:sets?)?(?:_\w+)?\.py\b")


def _tests_pulled_data(tree: RepoTree, detector_id: str) -> list[Finding]:
    """A job that fetches the dataset and then runs a data test module on it (``dvc pull``,
    then ``pytest tests/test_data.py``, in one step or two): the tests check the data
    itself, not fixtures. Read segment by segment of the work the job's steps do
    (:func:`ml_work`: an ``echo`` of a fetch fetches nothing). A data test module run in a
    job that fetches nothing, or before it fetches, is not read so."""
    out: list[Finding] = []
    for pipe in ci_pipelines(tree):
        for job in pipe.jobs:
            pulled = False
            for step in job.steps:
                work = ml_work(expand_make(tree, step_command(step), cwd=step.cwd))
                tested = False
                for segment in work.split("\n"):
                    if pulled and does(TESTS, segment) and _DATA_TEST_MODULE.search(segment):
                        tested = True
                        break
                    pulled = pulled or _fetches_data(segment)
                if tested:
                    what = "tests the data it fetches"
                    out.append(ci_step_finding(tree, detector_id, pipe, job, step, what=what))
                    break
    return out


def _runs_in_ci(detector_id: str, pattern: re.Pattern[str], what: str, doc: str) -> Detector:
    """A detector for "CI runs X": a step (scripts and Makefile targets expanded) matches."""
    orchestrators = detector_id not in _PIPELINE_WORK

    def detect(tree: RepoTree) -> list[Finding]:
        found = ci_steps_matching(tree, detector_id, pattern, what, orchestrators=orchestrators)
        if detector_id == "data_validation_runs_in_ci":
            found = _once_per_place(found + _tests_pulled_data(tree, detector_id))
        return found

    return Detector(detector_id, inspect.cleandoc(doc), "ci_runs", detect)


# (id, what a step does, how it is recognised, doc)
_RUNS: list[tuple[str, re.Pattern[str], str, str]] = [
    (
        "tests_run_in_ci",
        TESTS,
        "runs tests",
        "CI runs the test suite (pytest, tox, nox, unittest, ``make test``).",
    ),
    (
        "evaluation_runs_in_ci",
        EVALUATE,
        "evaluates a model",
        "CI evaluates a model (an evaluate script, ``dvc metrics``...).",
    ),
    (
        "data_validation_runs_in_ci",
        VALIDATE_DATA,
        "validates data",
        """CI validates data (Great Expectations checkpoint, pandera, a validate-data step).

     A job that fetches the dataset (``dvc pull``, ``aws s3 sync s3://...``) and then runs a
     data test module (``pytest tests/test_data.py``) tests that data.""",
    ),
    (
        "cml_reports_in_ci",
        CML,
        "publishes a CML report",
        "CI posts model reports to pull requests with CML.",
    ),
    (
        "deployment_runs_in_ci",
        DEPLOY,
        "deploys",
        """CI/CD deploys: pushes an image, applies manifests, updates an endpoint.

     ``partial`` when the deploy job has to be started by hand.""",
    ),
    (
        "infra_provisioned_by_ci",
        INFRA,
        "provisions infrastructure",
        "CI applies infrastructure as code (terraform apply, pulumi up, helm, az deployment).",
    ),
    (
        "lint_runs_in_ci",
        LINT,
        "enforces code conventions",
        "CI enforces code conventions (ruff, flake8, pylint, black, mypy, pre-commit).",
    ),
    (
        "policy_checks_in_ci",
        POLICY,
        "runs policy checks",
        """CI runs policy-as-code checks (conftest/OPA, checkov, tfsec, kube-linter, trivy).

     ``conftest`` counts as the policy tool's command (``conftest test``), not as a pytest
     option (``pytest -p conftest``).""",
    ),
    (
        "maturity_assessed_in_ci",
        MATURITY,
        "assesses maturity",
        "CI re-assesses MLOps maturity (runs ``mlkaizen``) on a schedule or on change.",
    ),
]


@detector("deployment_approval_gates")
def deployment_approval_gates(tree: RepoTree) -> list[Finding]:
    """Deployments go through named CI environments, where approvals and protection rules
    are enforced by the platform (GitHub/Azure environments, GitLab protected environments),
    or wait for a person's approval another way (the stack packs: a CodePipeline manual
    approval action, an Azure Pipelines ``ManualValidation`` task, SageMaker model versions
    registered ``PendingManualApproval``).
    """
    out: list[Finding] = []
    for pipe in ci_pipelines(tree):
        for job in pipe.jobs:
            if job.environment:
                out.append(
                    tree.finding(
                        "deployment_approval_gates",
                        job.file or pipe.file,
                        job.line,
                        f"job {job.name!r} deploys to environment {job.environment!r}",
                        provider=pipe.provider,
                    )
                )
    return out


DETECTORS = [
    ci_configured,
    *(_runs_in_ci(det_id, pattern, what, doc) for det_id, pattern, what, doc in _RUNS),
    deployment_approval_gates,
]
