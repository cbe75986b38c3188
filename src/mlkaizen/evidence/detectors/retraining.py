"""Continuous training: is model training started by a schedule or an event, not a person?"""

from __future__ import annotations

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.ci_runs import ci_steps_matching
from mlkaizen.evidence.detectors.documents import ci_pipelines, expand_make
from mlkaizen.evidence.detectors.pipeline_steps import orchestrated_pipelines
from mlkaizen.evidence.detectors.platform_jobs import retraining_on_alert
from mlkaizen.evidence.detectors.step_kinds import MONITOR, TRAIN
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.tree import RepoTree

DATA_PATHS = ("data", "dataset", ".dvc", "features")


def _trains(steps: list[tuple[str, int]]) -> bool:
    return any(TRAIN.search(text) for text, _ in steps)


@detector("training_scheduled")
def training_scheduled(tree: RepoTree) -> list[Finding]:
    """Model training runs on a schedule (continuous training by time).

    Evidence: a scheduled CI pipeline (``on: schedule`` cron, GitLab schedule rules, Azure
    ``schedules``) with a training step, or an orchestrated pipeline with a training step and
    a schedule (Airflow ``schedule=``, Dagster schedules, Prefect cron deployments, Kubeflow
    recurring runs, Argo CronWorkflow, Metaflow ``@schedule``), or an ML platform's schedule
    on a training pipeline: Vertex AI ``PipelineJob.create_schedule(cron=...)`` /
    ``PipelineJobSchedule``, Azure ML SDK v1 ``Schedule.create(recurrence=...)``, SDK v2
    ``JobSchedule``, CLI v2 schedule YAML with ``create_job``, SageMaker ``PipelineSchedule``
    or an EventBridge rule with a schedule expression (boto3 ``put_rule``, CDK ``Rule``),
    a Databricks bundle job with an unpaused ``schedule`` or periodic ``trigger``.
    """
    out = ci_steps_matching(
        tree, "training_scheduled", TRAIN, "trains on a schedule", scheduled_only=True
    )
    for pipe in orchestrated_pipelines(tree):
        if pipe.schedule and _trains(pipe.steps):
            out.append(
                tree.finding(
                    "training_scheduled",
                    pipe.file,
                    pipe.line,
                    f"{pipe.tool} training pipeline scheduled: {pipe.schedule}",
                    tool=pipe.tool,
                )
            )
    return out


@detector("training_triggered_by_event")
def training_triggered_by_event(tree: RepoTree) -> list[Finding]:
    """Model training starts on an event: new data, a data change, or a drift alert.

    Evidence: a CI pipeline that trains and is triggered by pushes to data paths, by
    ``repository_dispatch``/webhooks; an orchestrated training pipeline with a sensor or
    data-aware trigger (Azure ML SDK v1 ``Schedule.create(datastore=..., path_on_datastore=
    ...)``, a Databricks job ``trigger`` on file arrival or table update); or monitoring code
    that starts a retraining run.
    """
    out: list[Finding] = []
    for pipe in ci_pipelines(tree):
        data_push = any(any(d in p for d in DATA_PATHS) for p in pipe.trigger_paths)
        external = "repository_dispatch" in pipe.triggers
        if not (data_push or external):
            continue
        for job in pipe.jobs:
            step = next((s for s in job.steps if TRAIN.search(expand_make(tree, s.text))), None)
            if step is not None:
                why = "data changes" if data_push else "an external event"
                out.append(
                    tree.finding(
                        "training_triggered_by_event",
                        step.file or job.file or pipe.file,
                        step.line,
                        f"{pipe.provider} job {job.name!r} retrains on {why}",
                    )
                )
                break
    for orch in orchestrated_pipelines(tree):
        if orch.event_trigger and _trains(orch.steps):
            out.append(
                tree.finding(
                    "training_triggered_by_event",
                    orch.file,
                    orch.line,
                    f"{orch.tool} training pipeline triggered by {orch.event_trigger}",
                )
            )
    out.extend(_monitor_triggers(tree))
    return out


def _monitor_triggers(tree: RepoTree) -> list[Finding]:
    out: list[Finding] = []
    for rel in tree.importing({"evidently", "whylogs", "nannyml", "alibi_detect"}):
        facts = tree.python(rel)
        if facts is None:
            continue
        for call in facts.calls:
            name = call.name.lower()
            if (
                "retrain" in name
                or "trigger" in name
                or "dispatch" in name
                or "submit_pipeline" in name
                or "start_pipeline" in name
            ):
                out.append(
                    tree.finding(
                        "training_triggered_by_event",
                        rel,
                        call.line,
                        f"drift monitoring starts retraining: {call.name}()",
                    )
                )
                break
    return out


@detector("alert_triggers_retraining")
def alert_triggers_retraining(tree: RepoTree) -> list[Finding]:
    """A monitoring or drift alert starts retraining automatically.

    Evidence: drift-monitoring code that calls a retraining trigger, a CI workflow started
    by ``repository_dispatch`` whose job both checks drift and trains, or a Databricks bundle
    job that checks a monitored metric and then runs (``run_job_task``) a job that trains.
    """
    out = [
        f.model_copy(update={"detector": "alert_triggers_retraining"})
        for f in _monitor_triggers(tree)
    ]
    for pipe in ci_pipelines(tree):
        for job in pipe.jobs:
            texts = [expand_make(tree, s.text) for s in job.steps]
            if any(MONITOR.search(t) for t in texts) and any(TRAIN.search(t) for t in texts):
                out.append(
                    tree.finding(
                        "alert_triggers_retraining",
                        job.file or pipe.file,
                        job.line,
                        f"{pipe.provider} job {job.name!r} checks drift, then retrains",
                    )
                )
    return out + retraining_on_alert(tree)


DETECTORS = [training_scheduled, training_triggered_by_event, alert_triggers_retraining]
