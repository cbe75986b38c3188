"""Continuous training: is model training started by a schedule or an event, not a person?"""

from __future__ import annotations

import posixpath
import re

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.ci_kept import KEEPS_NOTHING, ci_training, keeps_results
from mlkaizen.evidence.detectors.ci_ml_runs import trains
from mlkaizen.evidence.detectors.ci_runs import step_command
from mlkaizen.evidence.detectors.documents import ci_pipelines, expand_make
from mlkaizen.evidence.detectors.handlers import has_event_handler
from mlkaizen.evidence.detectors.pipeline_model import OrchestratedPipeline
from mlkaizen.evidence.detectors.pipeline_schedules import imported_files
from mlkaizen.evidence.detectors.pipeline_steps import orchestrated_pipelines
from mlkaizen.evidence.detectors.pipeline_training import training_step
from mlkaizen.evidence.detectors.platform_jobs import retraining_on_alert
from mlkaizen.evidence.detectors.schedulers import cloud_schedules
from mlkaizen.evidence.detectors.stack_signs import pack_findings, python_signs
from mlkaizen.evidence.detectors.starters import (
    NAMES_SCORING,
    RETRAINING_STARTERS,
    starts_retraining,
    starts_what_trains,
)
from mlkaizen.evidence.detectors.step_kinds import MONITOR, TRAIN, does
from mlkaizen.evidence.detectors.vocabulary import vocabulary
from mlkaizen.evidence.findings import Finding, Outcome
from mlkaizen.evidence.parse.python_src import Call, PyFacts, module_matcher
from mlkaizen.evidence.testcode import is_test_path
from mlkaizen.evidence.tree import RepoTree

DATA_PATHS = ("data", "dataset", "datasets", ".dvc", "features")


def is_data_path(pattern: str) -> bool:
    """A CI path filter that names data: a folder segment called ``data``/``datasets``/
    ``features``/``.dvc``, or files with a data suffix (``**/*.csv``, ``*.dvc``). A segment
    that merely contains "data" (``src/metadata/**``) is not."""
    segments = [seg.strip("*!").lower() for seg in pattern.split("/")]
    if any(seg in DATA_PATHS for seg in segments[:-1]) or segments[-1] in DATA_PATHS:
        return True
    suffix = segments[-1].rsplit(".", 1)[-1] if "." in segments[-1] else ""
    return suffix == "dvc" or suffix in vocabulary().data_suffixes


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

    ``partial``: a scheduled CI job whose training keeps nothing beyond the runner, that is
    neither that step nor a later one (in its job or a later job) pushes the data, model or
    lock file (``dvc push``, ``git push``), registers or uploads the model, or submits the run
    to an ML platform; the scripts a step runs (``python train.py``, ``python -m pkg.train``,
    the stages of ``dvc.yaml`` for ``dvc repro``) are read for that too. A weekly
    ``dvc pull && dvc repro`` retrains, then throws the result away.
    """
    out = ci_training(tree, "training_scheduled", "trains on a schedule", scheduled=True)
    training = [p for p in orchestrated_pipelines(tree) if training_step(tree, p)]
    for pipe in training:
        if pipe.schedule:
            out.append(
                tree.finding(
                    "training_scheduled",
                    pipe.file,
                    pipe.line,
                    f"{pipe.tool} training pipeline scheduled: {pipe.schedule}",
                    tool=pipe.tool,
                )
            )
    scheduled = {f.file for f in out}  # a module that defines and schedules its pipeline
    for sched in cloud_schedules(tree):
        what = None if sched.file in scheduled else _scheduled_training(sched.text, training)
        if what is not None:
            out.append(
                tree.finding(
                    "training_scheduled",
                    sched.file,
                    sched.line,
                    f"{sched.kind} {sched.name!r} {what}".replace(" ''", ""),
                    tool=sched.kind,
                )
            )
    return out


_NAMES_TRAINING = re.compile(r"(?i)(?<![a-z])(?:re)?train")
_NAMES_PIPELINE = re.compile(r"(?i)pipeline|template_path|workflow|job_id")


def _scheduled_training(text: str, training: list[OrchestratedPipeline]) -> str | None:
    """What a cloud schedule starts, if it is training: it names training, or it starts a
    pipeline (not a scoring, ingestion or feature one) in a repository whose pipelines train."""
    if _NAMES_TRAINING.search(text):
        return "starts training on a schedule"
    if training and _NAMES_PIPELINE.search(text) and not NAMES_SCORING.search(text):
        return f"starts pipelines on a schedule; training pipeline: {training[0].file}"
    return None


@detector("training_on_merge")
def training_on_merge(tree: RepoTree) -> list[Finding]:
    """Training re-runs on every change merged to the repository: a CI pipeline started by
    pushes (a merge is a push to its target branch) with a job, not started by hand, that
    trains and keeps what it trains (pushes, registers or uploads it, or submits the run to
    an ML platform; see ``training_scheduled``). A smoke training that keeps nothing is not
    a retraining. Started by a change of code, not by time, new data or drift: continuous
    training counts it as a part only."""
    found = ci_training(tree, "training_on_merge", "retrains on every push", pushed=True)
    return [f for f in found if f.outcome is Outcome.FOUND]


@detector("training_triggered_by_event")
def training_triggered_by_event(tree: RepoTree) -> list[Finding]:
    """Model training starts on an event: new data, a data change, or a drift alert.

    Evidence: a CI pipeline that trains and is triggered by pushes to data paths, by
    ``repository_dispatch``/webhooks; an orchestrated training pipeline with a sensor or
    data-aware trigger (Azure ML SDK v1 ``Schedule.create(datastore=..., path_on_datastore=
    ...)``, a Databricks job ``trigger`` on file arrival or table update, an Argo Events
    sensor that submits the workflow); or monitoring code that starts a retraining run."""
    out: list[Finding] = []
    for pipe in ci_pipelines(tree):
        data_push = any(is_data_path(p) for p in pipe.trigger_paths)
        external = "repository_dispatch" in pipe.triggers
        if not (data_push or external):
            continue
        for j, job in enumerate(pipe.jobs):
            at = next((i for i, s in enumerate(job.steps) if trains(tree, pipe, job, s)), None)
            if at is not None:
                step = job.steps[at]
                why = "data changes" if data_push else "an external event"
                kept = keeps_results(tree, pipe, j, at)
                out.append(
                    tree.finding(
                        "training_triggered_by_event",
                        step.file or job.file or pipe.file,
                        step.line,
                        f"{pipe.provider} job {job.name!r} retrains on {why}"
                        + ("" if kept else KEEPS_NOTHING),
                        Outcome.FOUND if kept else Outcome.PARTIAL,
                    )
                )
                break
    for orch in orchestrated_pipelines(tree):
        if orch.event_trigger and training_step(tree, orch):
            out.append(
                tree.finding(
                    "training_triggered_by_event",
                    orch.file,
                    orch.line,
                    f"{orch.tool} training pipeline triggered by {orch.event_trigger}",
                )
            )
    out.extend(_monitor_triggers(tree))
    # pipelines that train: orchestrated ones, or a stack's declared training step (a Step
    # Functions state machine's training job, in States Language or the CDK)
    if any(training_step(tree, p) for p in orchestrated_pipelines(tree)) or any(
        f.outcome is Outcome.FOUND for f in pack_findings(tree, "training_in_pipeline")
    ):
        out.extend(_event_handlers(tree))
    return out


def _event_handlers(tree: RepoTree) -> list[Finding]:
    """A serverless function, started by an event (a Pub/Sub message, an S3 upload, an
    EventBridge rule), that starts a pipeline run in a repository whose pipelines train:
    itself, or through a module beside it that it imports (``from helper import
    start_pipeline`` in the function's folder, as a function is packaged)."""
    out: list[Finding] = []
    roots = {prefix.split(".")[0] for prefix, _ in RETRAINING_STARTERS}
    starting = set(tree.importing(roots))
    folders = {posixpath.dirname(rel) for rel in starting}
    for rel in tree.with_suffix(".py"):
        if rel not in starting and posixpath.dirname(rel) not in folders:
            continue
        text = tree.text(rel) or ""
        if not has_event_handler(text) or is_test_path(rel):
            continue
        facts = tree.python(rel)
        if facts is None:
            continue
        why = "event handler starts a training pipeline run"
        found = _started_here(tree, rel, facts, why) if rel in starting else []
        for helper in [] if found else imported_files(tree, rel, facts.imports):
            used = _calls_starter(facts, tree.python(helper)) if helper in starting else None
            if used is not None and starts_what_trains(tree, used[1]):
                called, start = used
                detail = f"{why} through {helper}: {called.name}() calls {start.name}()"
                found = [tree.finding("training_triggered_by_event", rel, called.line, detail)]
                break
        out += found
    return out


def _calls_starter(facts: PyFacts, helper: PyFacts | None) -> tuple[Call, Call] | None:
    """(the handler's call, the helper's starter) when the handler calls the helper's
    function whose body starts a training run (``start_pipeline(...)`` whose ``def`` holds
    ``start_pipeline_execution``); a helper imported for something else starts nothing."""
    start = starts_retraining(helper) if helper is not None else None
    if helper is None or start is None:
        return None
    owner = helper.enclosing(start.line)
    if owner is None:
        return None
    called = [c for c in facts.calls if c.name.rpartition(".")[2] == owner[0]]
    return (called[0], start) if called else None


def _started_here(tree: RepoTree, rel: str, facts: PyFacts, why: str) -> list[Finding]:
    """A finding at the first call in ``facts`` that starts training, if there is one."""
    call = starts_retraining(facts)
    if call is None or not starts_what_trains(tree, call):
        return []
    return [tree.finding("training_triggered_by_event", rel, call.line, f"{why}: {call.name}()")]


def _monitor_triggers(tree: RepoTree) -> list[Finding]:
    """Drift-monitoring code (a drift library imported and called) that starts retraining."""
    out: list[Finding] = []
    drift_tools = python_signs("drift_detection_used")
    roots = {m.split(".")[0] for sig in drift_tools for m in sig.modules}
    for rel in tree.importing(roots):
        facts = tree.python(rel)
        if facts is None:
            continue
        imported_roots = {n.split(".", 1)[0] for n in facts.imports}
        drift = any(
            not imported_roots.isdisjoint(m.split(".", 1)[0] for m in sig.modules)
            and any(map(module_matcher(sig.modules), facts.imports))
            and facts.find_calls(sig.calls, include_decorators=False)
            for sig in drift_tools
        )
        if drift:
            out += _started_here(tree, rel, facts, "drift monitoring starts retraining")
    return out


@detector("alert_triggers_retraining")
def alert_triggers_retraining(tree: RepoTree) -> list[Finding]:
    """A monitoring or drift alert starts retraining automatically.

    Evidence: code that calls a drift library and, in the same file, starts a training run
    through a known API (a Kubeflow/Vertex/SageMaker/Azure ML/Databricks pipeline run, an
    Airflow DAG trigger, a GitHub ``/dispatches`` request) or a function named for
    retraining; or a CI job, in a pipeline started by a schedule or an external event
    (``repository_dispatch``, ``workflow_run``), with a drift check followed (in the same
    or a later step) by training. Not evidence: a pipeline started by hand or by a push, or
    a drift check and a training step in unrelated jobs.
    On a platform: a Databricks bundle job that checks a monitored metric and then runs
    (``run_job_task``) a job that trains.
    """
    out = [
        f.model_copy(update={"detector": "alert_triggers_retraining"})
        for f in _monitor_triggers(tree)
    ]
    for pipe in ci_pipelines(tree):
        if not (pipe.scheduled or pipe.triggers & {"repository_dispatch", "workflow_run"}):
            continue
        for job in pipe.jobs:
            texts = [expand_make(tree, step_command(s), cwd=s.cwd) for s in job.steps]
            first_check = next((i for i, t in enumerate(texts) if MONITOR.search(t)), None)
            if first_check is not None and any(does(TRAIN, t) for t in texts[first_check:]):
                out.append(
                    tree.finding(
                        "alert_triggers_retraining",
                        job.file or pipe.file,
                        job.line,
                        f"{pipe.provider} job {job.name!r} checks drift, then retrains",
                    )
                )
    return out + retraining_on_alert(tree)


DETECTORS = [
    training_scheduled,
    training_on_merge,
    training_triggered_by_event,
    alert_triggers_retraining,
]
