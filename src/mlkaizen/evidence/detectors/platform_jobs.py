"""Mechanism: Databricks bundle jobs and Azure ML CLI v2 schedules as orchestrated pipelines,
and Databricks jobs that retrain when monitoring says so."""

from __future__ import annotations

import posixpath
import re
from typing import Any

from mlkaizen.evidence.detectors.documents import yaml_documents
from mlkaizen.evidence.detectors.pipeline_model import OrchestratedPipeline
from mlkaizen.evidence.detectors.platform_config import resources
from mlkaizen.evidence.detectors.step_kinds import MONITOR, TRAIN
from mlkaizen.evidence.detectors.text_search import line_at
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.parse.structured import load_json
from mlkaizen.evidence.parse.yamlfile import as_dict, as_list
from mlkaizen.evidence.tree import RepoTree


def _task_text(task: dict[str, Any]) -> str:
    words = [str(task.get("task_key", ""))]
    for key, field in (
        ("notebook_task", "notebook_path"),
        ("spark_python_task", "python_file"),
        ("python_wheel_task", "entry_point"),
        ("pipeline_task", "pipeline_id"),
        ("run_job_task", "job_id"),
    ):
        value = as_dict(task.get(key)).get(field)
        if value is not None:
            words.append(f"{key.removesuffix('_task')} {value}")
    return " ".join(words)


def _job_schedule(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """(schedule, event trigger) of a Databricks job; a paused schedule is no schedule."""
    schedule = as_dict(body.get("schedule"))
    trigger = as_dict(body.get("trigger"))
    if trigger.get("pause_status") == "PAUSED" or schedule.get("pause_status") == "PAUSED":
        return None, None
    if schedule.get("quartz_cron_expression"):
        return f"cron {schedule['quartz_cron_expression']}", None
    if "periodic" in trigger:
        return "periodic trigger", None
    for event in ("file_arrival", "table_update", "table"):
        if event in trigger:
            return None, f"{event.replace('_', ' ')} trigger"
    return None, None


def platform_pipelines(
    tree: RepoTree, found: list[OrchestratedPipeline]
) -> list[OrchestratedPipeline]:
    """``found`` plus Databricks bundle jobs, with Azure ML CLI v2 schedules attached to the
    pipeline YAML they run (or, when that file is not a pipeline, as pipelines of their own)."""
    out = list(found) + _dbx_jobs(tree)
    for r in resources(tree):
        if r.platform == "databricks" and r.kind == "jobs":
            pipe = OrchestratedPipeline("Databricks job", r.file, r.line)
            for task in as_list(r.body.get("tasks")):
                if isinstance(task, dict):
                    pipe.steps.append((_task_text(task), getattr(task, "line", r.line)))
            pipe.schedule, pipe.event_trigger = _job_schedule(r.body)
            out.append(pipe)
        elif r.platform == "azureml" and r.kind == "schedule" and "create_job" in r.body:
            trigger = as_dict(r.body.get("trigger"))
            if trigger.get("type") not in ("cron", "recurrence"):
                continue
            when = str(trigger.get("expression") or trigger.get("frequency") or "")
            schedule = f"{trigger['type']} {when} ({r.file})"
            job = r.body["create_job"]
            target = (
                posixpath.normpath(posixpath.join(posixpath.dirname(r.file), job))
                if isinstance(job, str)
                else None
            )
            scheduled = [p for p in out if p.file == target]
            for pipe in scheduled:
                pipe.schedule = pipe.schedule or schedule
            if not scheduled:
                pipe = OrchestratedPipeline("Azure ML schedule", r.file, r.line)
                pipe.steps = [(_inline_job_text(job), r.line)]
                pipe.schedule = schedule
                out.append(pipe)
    return out


def _dbx_jobs(tree: RepoTree) -> list[OrchestratedPipeline]:
    """Multi-task Databricks jobs of a dbx deployment file (``environments: <env>:
    workflows:`` or ``jobs:``, YAML or JSON): tasks with ``task_key``s are a pipeline's steps,
    in every environment the file deploys to. A job of one task is a job, not a pipeline."""
    out: list[OrchestratedPipeline] = []
    docs = [(rel, doc) for rel, doc in yaml_documents(tree) if isinstance(doc, dict)]
    for rel in tree.with_suffix(".json"):
        if rel.rsplit("/", 1)[-1].startswith("deployment"):
            docs.append((rel, as_dict(tree.parsed(rel, "json", load_json))))
    for rel, doc in docs:
        for env in as_dict(as_dict(doc).get("environments")).values():
            settings = as_dict(env)
            for job in as_list(settings.get("workflows")) + as_list(settings.get("jobs")):
                body = as_dict(job)
                tasks = [t for t in as_list(body.get("tasks")) if as_dict(t).get("task_key")]
                if len(tasks) < 2:
                    continue
                line = getattr(job, "line", getattr(doc, "line", 1))
                pipe = OrchestratedPipeline("Databricks job (dbx)", rel, line)
                pipe.steps = [(_task_text(as_dict(t)), getattr(t, "line", line)) for t in tasks]
                pipe.schedule, pipe.event_trigger = _job_schedule(body)
                out.append(pipe)
    return out


# a Databricks runtime at a pinned version (``13.3.x-cpu-ml-scala2.12``), not a variable
_RUNTIME = re.compile(r"""["']?spark_version["']?\s*[:=]\s*["']?(\d+\.\d+\.x-[\w.-]*)""")


def pinned_runtime(tree: RepoTree) -> tuple[str, int, str] | None:
    """(file, line, detail) of the first Databricks runtime pinned to a version in a job or
    cluster definition (YAML, JSON, Terraform)."""
    for rel in tree.with_suffix(".yml", ".yaml", ".json", ".tf", ".yml.tmpl", ".yaml.tmpl"):
        text = tree.text(rel) or ""
        found = _RUNTIME.search(text) if "spark_version" in text else None
        if found:
            return rel, line_at(text, found.start()), f"Databricks runtime {found.group(1)}"
    return None


def _inline_job_text(job: object) -> str:
    if not isinstance(job, dict):
        return str(job)
    names = " ".join(str(name) for name in as_dict(job.get("jobs")))
    return f"{job.get('display_name', '')} {job.get('command', '')} {names}"


def retraining_on_alert(tree: RepoTree) -> list[Finding]:
    """Databricks jobs that check a monitored metric and then run a job that trains."""
    jobs = {r.name: r for r in resources(tree) if r.platform == "databricks" and r.kind == "jobs"}
    out: list[Finding] = []
    for job in jobs.values():
        tasks = [t for t in as_list(job.body.get("tasks")) if isinstance(t, dict)]
        if not any(MONITOR.search(_task_text(t)) for t in tasks):
            continue
        for task in tasks:
            ref = str(as_dict(task.get("run_job_task")).get("job_id", ""))
            target = jobs.get(ref.removeprefix("${resources.jobs.").split(".")[0])
            if target is not None and any(
                TRAIN.search(_task_text(t))
                for t in as_list(target.body.get("tasks"))
                if isinstance(t, dict)
            ):
                out.append(
                    tree.finding(
                        "alert_triggers_retraining",
                        job.file,
                        getattr(task, "line", job.line),
                        f"Databricks job {job.name!r} checks monitoring, then runs "
                        f"training job {target.name!r}",
                        tool="databricks",
                    )
                )
                break
    return out
