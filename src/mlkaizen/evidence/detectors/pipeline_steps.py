"""Mechanism: find ML pipelines (DVC, Airflow, Kubeflow, Prefect, Dagster, Kedro, ZenML,
Metaflow, Flyte, SageMaker/Vertex/Azure ML/TFX, Databricks jobs, Argo) and the steps they
contain.

Detectors in ``pipelines`` and ``retraining`` decide what the steps mean.
"""

from __future__ import annotations

import re
from typing import Any

from mlkaizen.evidence.detectors.argo_events import sensor_triggers
from mlkaizen.evidence.detectors.documents import k8s_objects
from mlkaizen.evidence.detectors.pipeline_model import OrchestratedPipeline
from mlkaizen.evidence.detectors.pipeline_schedules import SCHEDULE_KW as _SCHEDULE_KW
from mlkaizen.evidence.detectors.pipeline_schedules import (
    dagster_schedules,
    local_module,
    schedules_elsewhere,
)
from mlkaizen.evidence.detectors.platform_code import platform_triggers
from mlkaizen.evidence.detectors.platform_jobs import platform_pipelines
from mlkaizen.evidence.packs import runtime
from mlkaizen.evidence.parse.yamlfile import as_dict, as_list, strings
from mlkaizen.evidence.tree import RepoTree

# (tool, import roots, decorator or call patterns that define a pipeline, step patterns): the
# stack packs' pipeline signs
_Names = tuple[str, ...]
_PYTHON_PIPELINES: tuple[tuple[str, _Names, _Names, _Names], ...] = tuple(
    (sign["tool"] or pack["stack"], tuple(sign["modules"]), tuple(sign["defines"]),
     tuple(sign["steps"]))
    for pack in runtime()
    for sign in pack["pipelines"]
)
_CALLABLE_REF = re.compile(
    r"\b(?:python_callable|func|fn|function)\s*=\s*([A-Za-z_]\w*)|\bnode\(\s*([A-Za-z_]\w*)\s*[,)]"
)
_SCHEDULE_CALLS = (
    "dagster.ScheduleDefinition",
    "dagster.schedule",
    "dagster.build_schedule_from_partitioned_job",
    "metaflow.schedule",
    ".create_recurring_run",
    "prefect.client.schemas.schedules.CronSchedule",
    "flytekit.CronSchedule",
)
_EVENT_CALLS = (
    "dagster.sensor",
    "dagster.asset_sensor",
    "airflow.datasets.Dataset",
    "airflow.sdk.Asset",
    "Sensor",
    "metaflow.trigger",
    "metaflow.trigger_on_finish",
)


def orchestrated_pipelines(tree: RepoTree) -> list[OrchestratedPipeline]:
    """Every pipeline definition in the tree (memoised)."""
    return tree.memo("orchestrated_pipelines", lambda: _compute(tree))


def _compute(tree: RepoTree) -> list[OrchestratedPipeline]:
    out = _dvc(tree) + _mlproject(tree) + _python(tree) + _metaflow(tree) + _manifests(tree)
    out = platform_pipelines(tree, out)
    schedules_elsewhere(tree, out)
    dagster_schedules(tree, out)
    return sorted(out, key=lambda p: (p.file, p.line))


def _dvc(tree: RepoTree) -> list[OrchestratedPipeline]:
    out: list[OrchestratedPipeline] = []
    for rel in tree.named("dvc.yaml"):
        for doc in tree.yaml(rel) or []:
            stages = doc.get("stages") if isinstance(doc, dict) else None
            if not isinstance(stages, dict):
                continue
            pipe = OrchestratedPipeline("DVC", rel, getattr(stages, "line", 1))
            for name, stage in stages.items():
                cmd = stage.get("cmd", "") if isinstance(stage, dict) else ""
                cmd = " ".join(map(str, cmd)) if isinstance(cmd, list) else str(cmd)
                pipe.steps.append((f"{name} {cmd}", getattr(stage, "line", pipe.line)))
            out.append(pipe)
    return out


def _mlproject(tree: RepoTree) -> list[OrchestratedPipeline]:
    """MLflow Projects: each entry point (and its command) is a step."""
    out: list[OrchestratedPipeline] = []
    for rel in tree.named("MLproject"):
        for doc in tree.yaml(rel) or []:
            points = doc.get("entry_points") if isinstance(doc, dict) else None
            if not isinstance(points, dict):
                continue
            pipe = OrchestratedPipeline("MLflow Project", rel, getattr(points, "line", 1))
            for name, body in points.items():
                command = body.get("command", "") if isinstance(body, dict) else ""
                pipe.steps.append((f"{name} {command}", getattr(body, "line", pipe.line)))
            out.append(pipe)
    return out


def _python(tree: RepoTree) -> list[OrchestratedPipeline]:
    out: list[OrchestratedPipeline] = []
    roots = {r for _, rs, _, _ in _PYTHON_PIPELINES for r in rs}
    for rel in tree.importing(roots):
        facts = tree.python(rel)
        if facts is None:
            continue
        imported = {n.split(".")[0] for n in facts.imports}
        for tool, tool_roots, defining, step_patterns in _PYTHON_PIPELINES:
            if not imported & {r.split(".")[0] for r in tool_roots}:
                continue  # a tool's pipeline is defined through its import
            defs = facts.find_calls(defining)
            if not defs:
                continue
            pipe = OrchestratedPipeline(tool, rel, min(c.line for c in defs))
            step_calls = [
                c
                for c in facts.calls + facts.decorators
                if c.name.endswith(step_patterns) or c.name.startswith(step_patterns)
            ]
            if not step_calls:
                # steps imported from the repository (``from components import train_job``)
                local = _local_modules(tree)
                imported = {
                    name
                    for name in facts.imports
                    if "." in name
                    and (name.split(".")[0] in local or local_module(tree, rel, name))
                }
                step_calls = [c for c in facts.calls if c.name in imported]
            names = {line: name for name, line in facts.functions.items()}
            for call in step_calls:
                label = " ".join(call.str_args[:2]) or names.get(call.line + 1, "")
                pipe.steps.append(
                    (f"{call.name} {label} {names.get(call.line + 1, '')}", call.line)
                )
            # a function is a step only when a step names it as its callable
            # (``PythonOperator(python_callable=train)``, ``node(train_model, ...)``), not
            # because it is defined in the pipeline's file
            text = tree.text(rel) or ""
            for match in _CALLABLE_REF.finditer(text):
                name = match.group(1) or match.group(2)
                if name in facts.functions:
                    pipe.steps.append((name, text.count("\n", 0, match.start()) + 1))
            sched = [
                c
                for c in defs + facts.find_calls((".serve", ".deploy", "LaunchPlan."))
                if any(
                    k in c.keywords and c.constant(k) != "None"
                    for k in (*_SCHEDULE_KW, "interval", "rrule", "schedules")
                )
            ]
            sched += facts.find_calls(_SCHEDULE_CALLS)
            if sched:
                pipe.schedule = f"{sched[0].name} (line {sched[0].line})"
            events = facts.find_calls(_EVENT_CALLS) + [
                c for c in facts.calls if c.name.endswith("Sensor")
            ]
            if events:
                pipe.event_trigger = f"{events[0].name} (line {events[0].line})"
            platform_schedule, platform_event = platform_triggers(facts)
            pipe.schedule = pipe.schedule or platform_schedule
            pipe.event_trigger = pipe.event_trigger or platform_event
            out.append(pipe)
    return out


def _local_modules(tree: RepoTree) -> frozenset[str]:
    """Names importable from the repository itself: packages and modules, at any depth."""

    def compute() -> frozenset[str]:
        names: set[str] = set()
        for rel in tree.files:
            parts = rel.split("/")
            if parts[-1] == "__init__.py" and len(parts) >= 2:
                names.add(parts[-2])
            elif parts[-1].endswith(".py"):
                names.add(parts[-1][:-3])
        return frozenset(names)

    return tree.memo("local_modules", compute)


_FLOW_BASES = frozenset({"metaflow.FlowSpec", "obproject.ProjectFlow"})


def _metaflow(tree: RepoTree) -> list[OrchestratedPipeline]:
    out: list[OrchestratedPipeline] = []
    for rel in tree.importing({"metaflow"}):
        facts = tree.python(rel)
        if facts is None:
            continue
        # a FlowSpec, or a flow class of a platform or of the team built on it (Outerbounds'
        # ``ProjectFlow``) whose methods are Metaflow steps
        stepped = bool(facts.find_calls(("metaflow.step",)))
        flows = [
            b for b in facts.bases if b.name in _FLOW_BASES or (stepped and b.name != "object")
        ]
        if flows:
            pipe = OrchestratedPipeline(
                "Metaflow", rel, flows[0].line, [(n, line) for n, line in facts.functions.items()]
            )
            sched = facts.find_calls(("metaflow.schedule",))
            pipe.schedule = f"@schedule (line {sched[0].line})" if sched else None
            trig = facts.find_calls(
                ("metaflow.trigger", "metaflow.trigger_on_finish", "obproject.project_trigger")
            )
            pipe.event_trigger = f"@trigger (line {trig[0].line})" if trig else None
            out.append(pipe)
    return out


def _manifests(tree: RepoTree) -> list[OrchestratedPipeline]:
    out: list[OrchestratedPipeline] = []
    by_name: dict[str, list[OrchestratedPipeline]] = {}
    sensors: list[tuple[str, dict[str, Any]]] = []
    for rel, doc in k8s_objects(tree):
        kind = str(doc.get("kind"))
        if kind == "Sensor" and str(doc.get("apiVersion", "")).startswith("argoproj.io"):
            sensors.append((rel, doc))
        if kind not in ("Workflow", "WorkflowTemplate", "CronWorkflow", "PipelineRun"):
            continue
        spec = as_dict(doc.get("spec"))
        pipe = OrchestratedPipeline(f"Argo/Tekton {kind}", rel, getattr(doc, "line", 1))
        inner = as_dict(spec.get("workflowSpec", spec))
        for template in as_list(inner.get("templates")):
            if isinstance(template, dict):
                container = template.get("container") or template.get("script") or {}
                words = " ".join(strings(container, budget=2_000))
                text = f"{template.get('name', '')} {words}"
                pipe.steps.append((text, getattr(template, "line", pipe.line)))
        if kind == "CronWorkflow":
            pipe.schedule = str(spec.get("schedule") or spec.get("schedules"))
        meta = as_dict(doc.get("metadata"))
        by_name.setdefault(str(meta.get("name") or meta.get("generateName")), []).append(pipe)
        out.append(pipe)
    sensor_triggers(sensors, by_name)
    for rel in tree.named("prefect.yaml"):
        for doc in tree.yaml(rel) or []:
            for dep in as_list(as_dict(doc).get("deployments")):
                if isinstance(dep, dict) and (dep.get("schedule") or dep.get("schedules")):
                    out.append(
                        OrchestratedPipeline(
                            "Prefect deployment",
                            rel,
                            getattr(dep, "line", 1),
                            [
                                (
                                    str(dep.get("entrypoint", "")) + " " + str(dep.get("name", "")),
                                    getattr(dep, "line", 1),
                                )
                            ],
                            schedule="prefect.yaml schedule",
                        )
                    )
    for rel, doc in _azureml_pipeline_yaml(tree):
        raw = doc.get("jobs")
        jobs: dict[str, Any] = raw if isinstance(raw, dict) else {}
        pipe = OrchestratedPipeline("Azure ML pipeline", rel, getattr(doc, "line", 1))
        for name, job in jobs.items():
            command = job.get("command", "") if isinstance(job, dict) else ""
            pipe.steps.append((f"{name} {command}", getattr(job, "line", pipe.line)))
        out.append(pipe)
    return out


def _azureml_pipeline_yaml(tree: RepoTree) -> list[tuple[str, dict[str, object]]]:
    from mlkaizen.evidence.detectors.documents import yaml_documents

    return [
        (rel, doc)
        for rel, doc in yaml_documents(tree)
        if isinstance(doc, dict)
        and doc.get("type") == "pipeline"
        and "jobs" in doc
        and "azureml" in str(doc.get("$schema", ""))
    ]
