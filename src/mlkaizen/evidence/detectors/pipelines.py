"""Orchestrated pipelines and what they contain: training, ingestion, data validation."""

from __future__ import annotations

import re

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.pipeline_steps import orchestrated_pipelines
from mlkaizen.evidence.detectors.pipeline_training import training_step
from mlkaizen.evidence.detectors.step_kinds import INGEST, PIPELINE_DEPLOY, VALIDATE_DATA
from mlkaizen.evidence.findings import Finding, Outcome
from mlkaizen.evidence.tree import RepoTree
from mlkaizen.textfmt import counted


def _steps_matching(
    tree: RepoTree, detector_id: str, pattern: re.Pattern[str], what: str
) -> list[Finding]:
    out: list[Finding] = []
    for pipe in orchestrated_pipelines(tree):
        for text, line in pipe.steps:
            if pattern.search(text):
                label = text.split()[0] if text.split() else ""
                out.append(
                    tree.finding(
                        detector_id,
                        pipe.file,
                        line,
                        f"{pipe.tool} pipeline: {what} step {label[:60]!r}",
                        tool=pipe.tool,
                    )
                )
                break
    return out


# a dvc.yaml of one stage runs the training script through DVC: no hand-over between steps.
# Only DVC, whose stages are all in the one file read; a code pipeline's steps may come from
# components imported from elsewhere, so one step counted there is not one step.
ONE_STEP = "its only stage: one script run by DVC, not yet a pipeline of steps"


@detector("pipeline_defined")
def pipeline_defined(tree: RepoTree) -> list[Finding]:
    """The ML workflow is defined as an orchestrated pipeline.

    Tools: DVC stages, Airflow, Kubeflow Pipelines, Prefect, Dagster, Kedro, ZenML, Metaflow,
    Flyte, SageMaker / Vertex AI / Azure ML (SDK v1, v2 and CLI v2) pipelines, TFX, Databricks
    bundle jobs, Argo Workflows.
    Evidence: a pipeline definition (``dvc.yaml`` stages, ``DAG(...)``, ``@dsl.pipeline``,
    ``@flow``, ``FlowSpec`` subclass...) in code or configuration.
    """
    return [
        tree.finding(
            "pipeline_defined",
            p.file,
            p.line,
            f"{p.tool} pipeline with {counted(len(p.steps), 'step')}",
            tool=p.tool,
        )
        for p in orchestrated_pipelines(tree)
    ]


@detector("training_in_pipeline")
def training_in_pipeline(tree: RepoTree) -> list[Finding]:
    """An orchestrated pipeline contains a model training step.

    Evidence: a step of a detected pipeline whose name or command trains (``train``,
    ``fit_model``, ``TrainingStep``, ``dvc repro`` of a train stage...).
    """
    out: list[Finding] = []
    for pipe in orchestrated_pipelines(tree):
        step = training_step(tree, pipe)
        if step is not None:
            label = step[0].split()[0] if step[0].split() else ""
            alone = pipe.tool == "DVC" and len(pipe.steps) <= 1
            out.append(
                tree.finding(
                    "training_in_pipeline",
                    pipe.file,
                    step[1],
                    f"{pipe.tool} pipeline: training step {label[:60]!r}"
                    + (f" ({ONE_STEP})" if alone else ""),
                    Outcome.PARTIAL if alone else Outcome.FOUND,
                    tool=pipe.tool,
                )
            )
    return out


# a pipeline's data preparation step takes the data in: it reads the raw data from where it is
# kept (``ProcessingStep("Preprocess")``, ``prepare_data``, ``feature_engineering``, ``etl``)
# (a word of its own: not a flag, ``--skip-preprocessing``, nor a package, ``text-preprocessing``)
_PREPARES_DATA = re.compile(
    r"(?<![-A-Za-z0-9])(?:pre-?process|prep(?:are)?[_ -]?(?:the[_ -])?(?:data|dataset|features?)"
    r"|data[_ -]?prep|feature[_ -]?engineering|etl\b|data[_ -]?processing)",
    re.IGNORECASE,
)
_TAKES_DATA_IN = re.compile(f"{INGEST.pattern}|{_PREPARES_DATA.pattern}", INGEST.flags)


@detector("ingestion_in_pipeline")
def ingestion_in_pipeline(tree: RepoTree) -> list[Finding]:
    """An orchestrated pipeline ingests data (download, extract, load, ``dvc import``).

    Evidence: a pipeline step whose name or command ingests data, or prepares it (a
    ``Preprocess`` processing step, ``prepare_data``, ETL, feature engineering: the step
    that reads the raw data in).
    """
    return _steps_matching(tree, "ingestion_in_pipeline", _TAKES_DATA_IN, "ingestion")


@detector("data_validation_in_pipeline")
def data_validation_in_pipeline(tree: RepoTree) -> list[Finding]:
    """An orchestrated pipeline validates data before it is used.

    Evidence: a pipeline step running validation (Great Expectations checkpoints, pandera,
    TFDV, a ``validate_data`` stage...).
    """
    return _steps_matching(tree, "data_validation_in_pipeline", VALIDATE_DATA, "data validation")


@detector("deployment_in_pipeline")
def deployment_in_pipeline(tree: RepoTree) -> list[Finding]:
    """An orchestrated pipeline releases the model it produced (a deployment step).

    Why: when the pipeline that trains and validates a model also pushes it to serving, a
    release needs no hand-over, and what is served is what passed the pipeline's checks.
    Example: a TFX ``Pusher``; a Databricks job task ``ModelDeployment``; an Azure ML
    ``PythonScriptStep(name="Deploy Model")``; Vertex ``ModelDeployOp``; a SageMaker
    ``LambdaStep`` named ``deploy``.
    Not evidence: deployment code outside any pipeline (see ``model_serving_present``).
    How to satisfy: add a step after evaluation that deploys the approved model version.
    """
    return _steps_matching(tree, "deployment_in_pipeline", PIPELINE_DEPLOY, "deployment")


DETECTORS = [
    pipeline_defined,
    training_in_pipeline,
    ingestion_in_pipeline,
    data_validation_in_pipeline,
    deployment_in_pipeline,
]
