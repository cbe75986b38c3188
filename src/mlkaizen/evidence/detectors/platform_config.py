"""Mechanism: cloud ML platform configuration read as typed resources.

* **Azure ML CLI v2** YAML, recognised by its ``$schema``
  (``https://azuremlschemas.azureedge.net/latest/<kind>.schema.json``), never by file name.
* **Databricks Asset Bundles**: a ``databricks.yml`` with a ``bundle`` section, plus the files
  its ``include`` globs name, read for ``resources`` (jobs, model serving endpoints,
  registered models, experiments, quality monitors).

Detectors ask :func:`config_findings` for the resources that show their fact; jobs and
schedules become pipelines through :func:`platform_pipelines`.
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlkaizen.evidence.detectors.documents import yaml_documents
from mlkaizen.evidence.detectors.step_kinds import MONITOR, TRAIN
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.parse.yamlfile import as_dict, as_list, mentions
from mlkaizen.evidence.tree import RepoTree

if TYPE_CHECKING:
    from mlkaizen.evidence.detectors.pipeline_steps import OrchestratedPipeline


@dataclass(frozen=True)
class Resource:
    """One platform resource: ``platform`` is ``azureml`` or ``databricks``; ``kind`` the
    Azure ML schema name (``managedOnlineDeployment``) or the bundle resource type
    (``model_serving_endpoints``)."""

    platform: str
    kind: str
    name: str
    file: str
    line: int
    body: dict[str, Any]


def resources(tree: RepoTree) -> list[Resource]:
    """Every Azure ML CLI v2 document and Databricks bundle resource (memoised)."""
    return tree.memo("platform_resources", lambda: _azureml(tree) + _databricks(tree))


def _azureml(tree: RepoTree) -> list[Resource]:
    out: list[Resource] = []
    for rel, doc in yaml_documents(tree):
        schema = str(doc.get("$schema", "")) if isinstance(doc, dict) else ""
        if "azureml" not in schema or not schema.endswith(".schema.json"):
            continue
        kind = schema.rsplit("/", 1)[-1].removesuffix(".schema.json")
        out.append(
            Resource("azureml", kind, str(doc.get("name", "")), rel, getattr(doc, "line", 1), doc)
        )
    return out


def _bundle_files(tree: RepoTree) -> list[str]:
    files: list[str] = []
    for rel in tree.named("databricks.yml", "databricks.yaml"):
        docs = [d for d in tree.yaml(rel) or [] if isinstance(d, dict) and "bundle" in d]
        if not docs:
            continue
        files.append(rel)
        folder = posixpath.dirname(rel)
        for pattern in (p for d in docs for p in as_list(d.get("include"))):
            if not isinstance(pattern, str) or pattern.startswith(("/", "..")):
                continue
            full = posixpath.normpath(posixpath.join(folder, pattern))
            files += [
                f
                for f in tree.with_suffix(".yml", ".yaml")
                if fnmatch.fnmatchcase(f, full) and f not in files
            ]
    return files


def _databricks(tree: RepoTree) -> list[Resource]:
    out: list[Resource] = []
    for rel in _bundle_files(tree):
        for doc in tree.yaml(rel) or []:
            for kind, entries in as_dict(as_dict(doc).get("resources")).items():
                for name, body in as_dict(entries).items():
                    if isinstance(body, dict):
                        line = getattr(body, "line", 1)
                        out.append(Resource("databricks", str(kind), str(name), rel, line, body))
    return out


# ---------------------------------------------------------------- what each resource shows
_ENDPOINTS = {
    "managedOnlineEndpoint",
    "managedOnlineDeployment",
    "kubernetesOnlineEndpoint",
    "kubernetesOnlineDeployment",
    "batchEndpoint",
    "batchDeployment",
}


def _traffic_split(r: Resource) -> str | None:
    """Traffic shared between model versions: an Azure ML endpoint's ``traffic`` or
    ``mirror_traffic`` over two deployments, or a Databricks endpoint's routes."""
    if r.platform == "azureml" and r.kind.endswith("OnlineEndpoint"):
        if as_dict(r.body.get("mirror_traffic")):
            return "mirrors traffic to a shadow deployment"
        split = as_dict(r.body.get("traffic"))
        if len(split) >= 2:
            return "splits traffic " + ", ".join(f"{k}={v}" for k, v in split.items())
    if r.platform == "databricks" and r.kind == "model_serving_endpoints":
        config = as_dict(r.body.get("config"))
        routes = as_list(as_dict(config.get("traffic_config")).get("routes"))
        if len(routes) >= 2:
            return f"routes traffic over {len(routes)} served models"
    return None


def _monitor(r: Resource) -> str | None:
    if r.platform == "databricks" and r.kind == "quality_monitors":
        return f"Databricks quality monitor {r.name!r}"
    if r.platform == "azureml" and r.kind == "schedule" and "create_monitor" in r.body:
        return f"Azure ML monitor schedule {r.name!r}"
    return None


def _alerts(r: Resource) -> str | None:
    monitor = as_dict(r.body.get("create_monitor"))
    if (
        r.platform == "azureml"
        and r.kind == "schedule"
        and as_dict(monitor.get("alert_notification"))
    ):
        return f"Azure ML monitor {r.name!r} alerts on signal breaches"
    if (
        r.platform == "databricks"
        and r.kind == "quality_monitors"
        and as_dict(r.body.get("notifications"))
    ):
        return f"Databricks quality monitor {r.name!r} notifies on failure"
    return None


_RULES: dict[str, Callable[[Resource], str | None]] = {
    "model_registry_used": lambda r: (
        f"Azure ML model asset {r.name!r}"
        if r.platform == "azureml" and r.kind == "model"
        else f"Databricks registered model {r.name!r}"
        if r.platform == "databricks" and r.kind in ("registered_models", "models")
        else None
    ),
    "model_serving_present": lambda r: (
        f"Azure ML {r.kind} {r.name!r}"
        if r.platform == "azureml" and r.kind in _ENDPOINTS
        else f"Databricks serving endpoint {r.name!r}"
        if r.platform == "databricks" and r.kind == "model_serving_endpoints"
        else None
    ),
    "data_assets_versioned": lambda r: (
        f"Azure ML data asset {r.name!r}" if r.platform == "azureml" and r.kind == "data" else None
    ),
    "shared_tracking_server": lambda r: (
        f"Databricks workspace experiment {r.name!r}"
        if r.platform == "databricks" and r.kind == "experiments"
        else None
    ),
    "progressive_delivery_configured": _traffic_split,
    "drift_detection_used": _monitor,
    "data_quality_tracked": lambda r: (
        _monitor(r)
        if r.platform == "databricks" or mentions(r.body.get("create_monitor"), "data_quality")
        else None
    ),
    "alert_rules_defined": _alerts,
}


def config_findings(tree: RepoTree, detector_id: str) -> list[Finding]:
    """Findings for ``detector_id`` from platform configuration (one per resource)."""
    rule = _RULES[detector_id]
    out: list[Finding] = []
    for r in resources(tree):
        detail = rule(r)
        if detail:
            out.append(tree.finding(detector_id, r.file, r.line, detail, tool=r.platform))
    return out


# ---------------------------------------------------------------- jobs and schedules
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
    from mlkaizen.evidence.detectors.pipeline_steps import OrchestratedPipeline

    out = list(found)
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
