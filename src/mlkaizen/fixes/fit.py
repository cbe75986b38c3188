"""When a fix fits the repository: its stack (CI system, tracker, data tool, validation
library, language) and what the scaffold needs to run (tests to run, a training entry point, a
data folder, a serving app). Each rule returns why a fix does not fit, or None."""

from __future__ import annotations

from mlkaizen.fixes.facts import RepoFacts
from mlkaizen.fixes.stack import GENERATED_CI

CI_NAMES = {
    "github-actions": "GitHub Actions",
    "gitlab-ci": "GitLab CI",
    "azure-pipelines": "Azure Pipelines",
    "jenkins": "Jenkins",
    "bitbucket": "Bitbucket Pipelines",
    "circleci": "CircleCI",
}
# pipelines a CI job runs as they are (``dvc repro``; ``mlflow run`` runs the training script)
RUN_BY_CI = {"DVC", "MLflow Project"}
SERVERS = {"fastapi": "uvicorn", "flask": "gunicorn"}


def python(f: RepoFacts) -> str | None:
    return None if f.stack.python else "the repository has no Python code; this scaffold is Python"


def ci_system(f: RepoFacts) -> str:
    """The CI system generated pipelines are for: the one that builds the repository, or
    GitHub Actions when it has no CI yet."""
    return f.stack.primary_ci or "github-actions"


def ci_name(f: RepoFacts) -> str:
    ci = ci_system(f)
    return CI_NAMES.get(ci, ci)


def _ci(f: RepoFacts) -> str | None:
    ci = ci_system(f)
    if ci not in GENERATED_CI:
        return (
            f"the repository builds with {CI_NAMES.get(ci, ci)}, for which no pipeline is "
            "generated (only GitHub Actions, GitLab CI and Azure Pipelines)"
        )
    if ci == "gitlab-ci" and ".gitlab-ci.yml" not in f.stack.ci_files.get(ci, set()):
        return "GitLab CI runs only the root .gitlab-ci.yml, and the repository has none"
    return python(f)


def tests_workflow(f: RepoFacts) -> str | None:
    if not f.has_tests:
        return "there are no tests under tests/ for CI to run; write some first"
    return _ci(f)


def retraining_workflow(f: RepoFacts) -> str | None:
    if f.has_dvc_pipeline and f.dvc_remote is None:
        return "the DVC pipeline has no remote, so CI cannot fetch its data; add one first"
    if f.has_dvc_pipeline and f.dvc_remote == "local":
        return "the DVC remote is a local path, which CI cannot reach"
    orchestrated = sorted(f.stack.orchestrators - RUN_BY_CI)
    if orchestrated and not f.has_dvc_pipeline:
        return (
            f"training is orchestrated by {', '.join(orchestrated)}; a CI job running the "
            "training script would bypass it: schedule the pipeline there (its own scheduler, "
            "or a CI job that submits it)"
        )
    if not f.has_dvc_pipeline and f.training_script is None:
        return "no training entry point was found to schedule"
    if not f.has_dvc_pipeline and not f.training_runnable:
        return (
            f"the training code ({f.training_script}) defines functions but does not run as a "
            "script (no `if __name__ == \"__main__\":`); add an entry point to schedule"
        )
    return _ci(f)


def drift_job(f: RepoFacts) -> str | None:
    if f.sample_csv is None:
        return "no reference data (a CSV under data/) to compare recent data with"
    return _ci(f)


def dvc(f: RepoFacts) -> str | None:
    others = sorted(f.stack.data_tools - {"DVC"})
    if others:
        return f"the repository versions data with {', '.join(others)}"
    if not f.data_dirs:
        return "no data folder (data/, datasets/) was found to version"
    return None


def mlflow(f: RepoFacts) -> str | None:
    others = sorted(f.stack.trackers - {"MLflow"})
    if others:
        return f"the team tracks experiments with {', '.join(others)}, not MLflow"
    if f.training_script is None:
        return "no training entry point was found to wire tracking into"
    return python(f)


def pandera(f: RepoFacts) -> str | None:
    others = sorted(f.stack.validation - {"pandera"})
    if others:
        return f"the team validates data with {', '.join(others)}"
    return python(f)


def dockerfile(f: RepoFacts) -> str | None:
    if f.serving_app is None:
        return "no serving app (FastAPI, Flask) that loads a model was found to package"
    if (f.serving_framework or "").lower() not in SERVERS:
        return f"no generated image for a {f.serving_framework} app yet"
    return None


def codeowners(f: RepoFacts) -> str | None:
    if f.stack.forge == "azure-devops":
        return (
            "Azure DevOps has no CODEOWNERS file; set required reviewers per path in the "
            "branch policies"
        )
    return None
