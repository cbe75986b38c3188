"""CI/CD: which provider, and what its pipelines actually run."""

from __future__ import annotations

import inspect
import re

from mlkaizen.evidence.detectors.base import Detector, detector
from mlkaizen.evidence.detectors.documents import ci_pipelines, expand_make
from mlkaizen.evidence.detectors.step_kinds import (
    CML,
    DEPLOY,
    EVALUATE,
    INFRA,
    LINT,
    MATURITY,
    POLICY,
    TESTS,
    TRAIN,
    VALIDATE_DATA,
)
from mlkaizen.evidence.findings import Finding, Outcome
from mlkaizen.evidence.parse.ci import Step
from mlkaizen.evidence.tree import RepoTree


def ci_steps_matching(
    tree: RepoTree,
    detector_id: str,
    pattern: re.Pattern[str],
    what: str,
    *,
    scheduled_only: bool = False,
) -> list[Finding]:
    """One finding per CI job with a step whose command (the action or task it uses and the
    shell it runs, Makefile targets and scripts expanded) matches. A step's display name
    does not count: "Build Training docs" trains nothing."""
    out: list[Finding] = []
    for pipe in ci_pipelines(tree):
        for job in pipe.jobs:
            if scheduled_only and not (pipe.scheduled or job.scheduled):
                continue
            for step in job.steps:
                if pattern.search(expand_make(tree, step_command(step))):
                    manual = job.manual or (pipe.triggers == {"workflow_dispatch"})
                    out.append(
                        tree.finding(
                            detector_id,
                            step.file or job.file or pipe.file,
                            step.line,
                            f"{pipe.provider} job {job.name!r} {what}"
                            + (" (started by hand)" if manual else ""),
                            Outcome.PARTIAL if manual else Outcome.FOUND,
                            provider=pipe.provider,
                        )
                    )
                    break
    return _once_per_place(out)


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


def _runs_in_ci(detector_id: str, pattern: re.Pattern[str], what: str, doc: str) -> Detector:
    """A detector for "CI runs X": a step (scripts and Makefile targets expanded) matches."""

    def detect(tree: RepoTree) -> list[Finding]:
        return ci_steps_matching(tree, detector_id, pattern, what)

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
        "CI validates data (Great Expectations checkpoint, pandera, a validate-data step).",
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
    are enforced by the platform (GitHub/Azure environments, GitLab protected environments).
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


_PYTEST_PATHS = re.compile(r"\b(?:pytest|py\.test)\b([^\n;&|]*)")


def _test_targets(tree: RepoTree, command: str) -> list[str] | None:
    """The paths a ``pytest`` command collects from (``pytest tests/unit -k x``), or ``None``
    when it names none (it then collects from the whole checkout)."""
    targets: list[str] = []
    named = False
    for match in _PYTEST_PATHS.finditer(command):
        for word in match.group(1).split():
            if word.startswith("-") or "=" in word:
                continue
            path = word.strip("\"'").removeprefix("./").rstrip("/").split("::")[0]
            if path in tree.sizes or any(f.startswith(path + "/") for f in tree.files):
                targets.append(path)
                named = True
    return targets if named else None


@detector("training_runs_in_ci")
def training_runs_in_ci(tree: RepoTree) -> list[Finding]:
    """CI trains a model (a train script, ``dvc repro``, ``kedro run``, ``mlflow run``), or
    runs a pipeline of the repository that trains (``python -m pipelines.train``,
    ``run-pipeline --module-name pipelines.abalone.pipeline``, ``python pipelines/run.py``).

    Judged from the command a step runs, never from its display name.
    """
    out = ci_steps_matching(tree, "training_runs_in_ci", TRAIN, "trains a model")
    seen = {(f.file, f.line) for f in out}
    for finding in _training_pipeline_runs(tree):
        if (finding.file, finding.line) not in seen:
            out.append(finding)
    return out


_MODULE_OR_PATH = re.compile(r"(?<![\w/.-])([A-Za-z_][\w/.-]*?)(?:\.py)?(?![\w/.-])")


def _training_pipeline_runs(tree: RepoTree) -> list[Finding]:
    """CI steps that name a pipeline file of the repository that trains, as a path or a
    dotted module."""
    from mlkaizen.evidence.detectors.pipeline_steps import orchestrated_pipelines, training_step

    training = {
        p.file
        for p in orchestrated_pipelines(tree)
        if p.file.endswith(".py") and training_step(tree, p)
    }
    if not training:
        return []
    by_name: dict[str, str] = {}
    for rel in training:
        stem = rel[:-3]
        parts = stem.split("/")
        for i in range(len(parts)):  # any suffix of the path, as a path or a module
            tail = parts[i:]
            if len(tail) >= 2 or len(parts) == 1:
                by_name["/".join(tail)] = rel
                by_name[".".join(tail)] = rel
    out: list[Finding] = []
    for pipe in ci_pipelines(tree):
        for job in pipe.jobs:
            for step in job.steps:
                command = step_command(step)
                hit = next(
                    (
                        by_name[m.group(1)]
                        for m in _MODULE_OR_PATH.finditer(command)
                        if m.group(1) in by_name
                    ),
                    None,
                )
                if hit is not None:
                    manual = job.manual or (pipe.triggers == {"workflow_dispatch"})
                    out.append(
                        tree.finding(
                            "training_runs_in_ci",
                            step.file or job.file or pipe.file,
                            step.line,
                            f"{pipe.provider} job {job.name!r} runs the training pipeline {hit}"
                            + (" (started by hand)" if manual else ""),
                            Outcome.PARTIAL if manual else Outcome.FOUND,
                            provider=pipe.provider,
                        )
                    )
                    break
    return _once_per_place(out)


@detector("model_tests_run_in_ci")
def model_tests_run_in_ci(tree: RepoTree) -> list[Finding]:
    """CI runs tests that exercise the model (training smoke runs, prediction, serving API).

    Evidence: a CI step that runs the test suite (pytest, tox, ``make test``...) whose
    collection includes a model test module (see ``model_tests_present``): the whole
    checkout, or a path that holds it (``pytest tests/`` with ``tests/test_train.py``).
    Not evidence: ``pytest tests/unit`` when the model tests live in ``tests/model``.
    """
    from mlkaizen.evidence.detectors.tests_present import model_tests_present

    model_tests = [f.file for f in model_tests_present.detect(tree) if f.file]
    if not model_tests:
        return []
    out: list[Finding] = []
    for pipe in ci_pipelines(tree):
        for job in pipe.jobs:
            for step in job.steps:
                command = expand_make(tree, step_command(step))
                if not TESTS.search(command):
                    continue
                targets = _test_targets(tree, command)
                covered = [
                    t
                    for t in model_tests
                    if targets is None or any(t == p or t.startswith(p + "/") for p in targets)
                ]
                if covered:
                    manual = job.manual or (pipe.triggers == {"workflow_dispatch"})
                    out.append(
                        tree.finding(
                            "model_tests_run_in_ci",
                            step.file or job.file or pipe.file,
                            step.line,
                            f"{pipe.provider} job {job.name!r} runs model tests "
                            f"({', '.join(covered[:3])})"
                            + (" (started by hand)" if manual else ""),
                            Outcome.PARTIAL if manual else Outcome.FOUND,
                            provider=pipe.provider,
                        )
                    )
                    break
    return _once_per_place(out)


DETECTORS = [
    ci_configured,
    *(_runs_in_ci(det_id, pattern, what, doc) for det_id, pattern, what, doc in _RUNS),
    deployment_approval_gates,
    training_runs_in_ci,
    model_tests_run_in_ci,
]
