"""CI/CD: which provider, and what its pipelines actually run."""

from __future__ import annotations

import re

from mlkaizen.evidence.detectors.base import detector
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
from mlkaizen.evidence.tree import RepoTree


def ci_steps_matching(
    tree: RepoTree,
    detector_id: str,
    pattern: re.Pattern[str],
    what: str,
    *,
    scheduled_only: bool = False,
) -> list[Finding]:
    """One finding per CI job with a step whose command (Makefile targets expanded) matches."""
    out: list[Finding] = []
    for pipe in ci_pipelines(tree):
        for job in pipe.jobs:
            if scheduled_only and not (pipe.scheduled or job.scheduled):
                continue
            for step in job.steps:
                if pattern.search(expand_make(tree, step.text)):
                    manual = job.manual or (pipe.triggers == {"workflow_dispatch"})
                    out.append(
                        tree.finding(
                            detector_id,
                            pipe.file,
                            step.line,
                            f"{pipe.provider} job {job.name!r} {what}"
                            + (" (started by hand)" if manual else ""),
                            Outcome.PARTIAL if manual else Outcome.FOUND,
                            provider=pipe.provider,
                        )
                    )
                    break
    return out


@detector("ci_configured")
def ci_configured(tree: RepoTree) -> list[Finding]:
    """A CI service builds the repository on change.

    Providers: GitHub Actions, GitLab CI, Azure Pipelines, CircleCI, Bitbucket, Jenkins.
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


@detector("tests_run_in_ci")
def tests_run_in_ci(tree: RepoTree) -> list[Finding]:
    """CI runs the test suite (pytest, tox, nox, unittest, ``make test``)."""
    return ci_steps_matching(tree, "tests_run_in_ci", TESTS, "runs tests")


@detector("training_runs_in_ci")
def training_runs_in_ci(tree: RepoTree) -> list[Finding]:
    """CI trains a model (a train script, ``dvc repro``, ``kedro run``, ``mlflow run``)."""
    return ci_steps_matching(tree, "training_runs_in_ci", TRAIN, "trains a model")


@detector("evaluation_runs_in_ci")
def evaluation_runs_in_ci(tree: RepoTree) -> list[Finding]:
    """CI evaluates a model (an evaluate script, ``dvc metrics``...)."""
    return ci_steps_matching(tree, "evaluation_runs_in_ci", EVALUATE, "evaluates a model")


@detector("data_validation_runs_in_ci")
def data_validation_runs_in_ci(tree: RepoTree) -> list[Finding]:
    """CI validates data (Great Expectations checkpoint, pandera, a validate-data step)."""
    return ci_steps_matching(tree, "data_validation_runs_in_ci", VALIDATE_DATA, "validates data")


@detector("cml_reports_in_ci")
def cml_reports_in_ci(tree: RepoTree) -> list[Finding]:
    """CI posts model reports to pull requests with CML."""
    return ci_steps_matching(tree, "cml_reports_in_ci", CML, "publishes a CML report")


@detector("deployment_runs_in_ci")
def deployment_runs_in_ci(tree: RepoTree) -> list[Finding]:
    """CI/CD deploys: pushes an image, applies manifests, updates an endpoint.

    ``partial`` when the deploy job has to be started by hand.
    """
    return ci_steps_matching(tree, "deployment_runs_in_ci", DEPLOY, "deploys")


@detector("infra_provisioned_by_ci")
def infra_provisioned_by_ci(tree: RepoTree) -> list[Finding]:
    """CI applies infrastructure as code (terraform apply, pulumi up, helm, az deployment)."""
    return ci_steps_matching(tree, "infra_provisioned_by_ci", INFRA, "provisions infrastructure")


@detector("lint_runs_in_ci")
def lint_runs_in_ci(tree: RepoTree) -> list[Finding]:
    """CI enforces code conventions (ruff, flake8, pylint, black, mypy, pre-commit)."""
    return ci_steps_matching(tree, "lint_runs_in_ci", LINT, "enforces code conventions")


@detector("policy_checks_in_ci")
def policy_checks_in_ci(tree: RepoTree) -> list[Finding]:
    """CI runs policy-as-code checks (conftest/OPA, checkov, tfsec, kube-linter, trivy)."""
    return ci_steps_matching(tree, "policy_checks_in_ci", POLICY, "runs policy checks")


@detector("maturity_assessed_in_ci")
def maturity_assessed_in_ci(tree: RepoTree) -> list[Finding]:
    """CI re-assesses MLOps maturity (runs ``mlkaizen``) on a schedule or on change."""
    return ci_steps_matching(tree, "maturity_assessed_in_ci", MATURITY, "assesses maturity")


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
                        pipe.file,
                        job.line,
                        f"job {job.name!r} deploys to environment {job.environment!r}",
                        provider=pipe.provider,
                    )
                )
    return out


DETECTORS = [
    ci_configured,
    tests_run_in_ci,
    training_runs_in_ci,
    evaluation_runs_in_ci,
    data_validation_runs_in_ci,
    cml_reports_in_ci,
    deployment_runs_in_ci,
    infra_provisioned_by_ci,
    lint_runs_in_ci,
    policy_checks_in_ci,
    maturity_assessed_in_ci,
    deployment_approval_gates,
]
