"""Every fix, keyed by the practice it closes (a fix may close several)."""

from __future__ import annotations

from mlkaizen.fixes import code, data, documents, environment, fit, workflows
from mlkaizen.fixes.base import Fix

FIXES: tuple[Fix, ...] = (
    Fix(
        ("deployment.tests-in-ci", "data.validation-automated"),
        "{ci}: tests and a data-validation step",
        workflows.tests_and_validation,
        fit.tests_workflow,
    ),
    Fix(
        ("model.ct-triggers",),
        "{ci}: scheduled retraining",
        workflows.scheduled_retraining,
        fit.retraining_workflow,
    ),
    Fix(
        ("operations.monitoring",),
        "{ci}: Evidently drift report on a schedule",
        workflows.drift_job,
        fit.drift_job,
    ),
    Fix(
        ("data.versioned",),
        "DVC configuration and pointers for the data folders",
        data.dvc_pointers,
        fit.dvc,
    ),
    Fix(
        ("model.experiment-tracking",),
        "MLflow tracking helper wired into the training script",
        code.tracking,
        fit.mlflow,
    ),
    Fix(
        ("model.reproducible-training",),
        "Seed-setting helper and a params file",
        code.seeding,
        fit.python,
    ),
    Fix(
        ("data.schema-declared",),
        "pandera schema inferred from a data sample",
        code.schema,
        fit.pandera,
    ),
    Fix(
        ("deployment.packaged-artifact",),
        "Dockerfile for the detected serving app",
        code.dockerfile,
        fit.dockerfile,
    ),
    Fix(("model.model-card",), "Model card filled from the repository", documents.model_card),
    Fix(("data.documented-sources",), "Data card for the data folders", documents.data_card),
    Fix(
        ("organization.code-ownership",),
        "CODEOWNERS from the git authors",
        documents.codeowners,
        fit.codeowners,
    ),
    Fix(
        ("organization.review-process",),
        "Pull-request template with an ML checklist",
        documents.pr_template,
    ),
    Fix(("organization.documented-workflow",), "Contributing guide", documents.contributing),
    Fix(
        ("operations.reproducible-environment",),
        "Instructions to pin a lock file, and a dev container",
        environment.lock_and_container,
        fit.python,
    ),
)


# names people reach for first, mapped to the catalogue's practice ids
ALIASES = {
    "data.validation-in-ci": "data.validation-automated",
    "deployment.ci-tests": "deployment.tests-in-ci",
    "model.retraining-schedule": "model.ct-triggers",
    "model.tracking": "model.experiment-tracking",
}


def fix_for(practice: str) -> Fix | None:
    practice = ALIASES.get(practice, practice)
    return next((f for f in FIXES if practice in f.practices), None)
