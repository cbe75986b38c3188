"""Mechanism: the calls in a module that start a training run or pipeline.

A starter is recognised through the import it comes from (``kfp.Client().create_run_from_
pipeline_func``, a GitHub ``/dispatches`` request, a Vertex ``PipelineJob``, a SageMaker
``start_pipeline_execution``...), or is a call to a function named for retraining
(``retrain_model()``). Detectors decide what starts it: an event handler, drift monitoring.
"""

from __future__ import annotations

import re

from mlkaizen.evidence.parse.python_src import Call, PyFacts, module_matcher
from mlkaizen.evidence.tree import RepoTree

_WORDS = re.compile(r"[a-z0-9]+")
# (import prefix, calls that start a training run or pipeline, recognised through that import)
RETRAINING_STARTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("github", (".create_dispatch",)),
    ("airflow", ("airflow.api.common.trigger_dag.trigger_dag", ".trigger_dag")),
    (
        "kfp",
        (
            ".create_run_from_pipeline_func",
            ".create_run_from_pipeline_package",
            ".create_run_from_job_spec",
            ".run_pipeline",
        ),
    ),
    (
        "google.cloud.aiplatform",
        (
            "google.cloud.aiplatform.PipelineJob",
            "google.cloud.aiplatform.pipeline_jobs.PipelineJob",
        ),
    ),
    # a SageMaker pipeline, or a Step Functions state machine (``sfn.start_execution``)
    ("boto3", (".start_pipeline_execution", ".start_execution")),
    ("sagemaker", (".start_pipeline_execution",)),
    ("azure.ai.ml", (".jobs.create_or_update",)),
    ("azureml", (".submit",)),  # SDK v1: ``experiment.submit(config)`` (see _STARTER_NEEDS)
    ("prefect", ("prefect.deployments.run_deployment",)),
    ("databricks", (".jobs.run_now",)),
    ("mlflow", ("mlflow.run", "mlflow.projects.run")),
)
_HTTP = ("requests", "httpx")
# the platforms whose calls start a run of a pipeline or a training job there (not a GitHub
# dispatch, an HTTP request or a local MLflow project, which start whatever the other end
# or the entry point does)
PLATFORM_STARTERS = frozenset(
    {
        "kfp",
        "google.cloud.aiplatform",
        "boto3",
        "sagemaker",
        "azure.ai.ml",
        "azureml",
        "prefect",
        "databricks",
        "airflow",
    }
)
# names of what scores, ingests or builds features rather than trains
NAMES_SCORING = re.compile(r"(?i)predict|scor(?:e|ing)|inference|batch|ingest|feature")
# what a starter needs beside it: an Azure ML ``.submit`` an experiment, run config or pipeline
_STARTER_NEEDS = {
    "azureml": (
        "azureml.core.Experiment",
        "azureml.core.experiment.Experiment",
        "azureml.core.ScriptRunConfig",
        "azureml.core.script_run_config.ScriptRunConfig",
        "azureml.pipeline.core.PublishedPipeline*",
        "azureml.pipeline.core.Pipeline",
        "azureml.pipeline.core.PipelineEndpoint*",
    )
}


def starts_retraining(facts: PyFacts, *, platforms_only: bool = False) -> Call | None:
    """The first call that starts a training run, recognised through the import it comes
    from (``kfp.Client().create_run_from_pipeline_func``, a GitHub ``/dispatches`` request,
    ``PipelineJob``...), or a call to a function named for retraining (``retrain_model()``).
    ``platforms_only``: only the calls that start a run on an ML platform
    (:data:`PLATFORM_STARTERS`)."""
    imported = set(facts.imports)
    calls: list[Call] = []
    for prefix, patterns in RETRAINING_STARTERS:
        if platforms_only and prefix not in PLATFORM_STARTERS:
            continue
        if any(map(module_matcher((prefix,)), imported)):
            needs = _STARTER_NEEDS.get(prefix)
            if needs and not facts.find_calls(needs, include_decorators=False):
                continue
            calls += facts.find_calls(patterns, include_decorators=False)
    if platforms_only:
        return min(calls, key=lambda c: c.line) if calls else None
    if any(n.split(".")[0] in _HTTP for n in imported):
        calls += [
            c
            for c in facts.find_calls(tuple(f"{h}.post" for h in _HTTP), include_decorators=False)
            if any("/dispatches" in a for a in c.str_args)
        ]
    calls += [
        c
        for c in facts.calls
        if "retrain" in c.name.lower()  # cheap, and implied by the word test
        and any(w.startswith("retrain") for w in _WORDS.findall(c.name.rsplit(".", 1)[-1].lower()))
    ]
    return min(calls, key=lambda c: c.line) if calls else None


def starts_what_trains(tree: RepoTree, call: Call) -> bool:
    """Whether the run ``call`` starts is one that trains: a Step Functions execution
    (``sfn.start_execution``) only when a state machine of the repository has a training
    step (the Step Functions pack's); every other starter starts the platform's pipeline."""
    if not call.name.endswith(".start_execution"):
        return True
    from mlkaizen.evidence.detectors.stack_signs import pack_findings

    steps = pack_findings(tree, "training_in_pipeline")
    return any("Step Functions" in f.values.get("tool", f.detail) for f in steps)
