"""Argo Events: a sensor whose trigger submits an Argo workflow starts that pipeline on an
event (a webhook, an alert, a new object in a bucket, a message), not by a person."""

from __future__ import annotations

from typing import Any

from mlkaizen.evidence.detectors.pipeline_model import OrchestratedPipeline
from mlkaizen.evidence.parse.yamlfile import as_dict, as_list

_NAME_KEYS = ("name", "generateName")
_STARTS = (None, "submit", "submit-from", "resubmit", "create")  # not stop, terminate, delete
_WORKFLOWS = ("Workflow", "WorkflowTemplate", "CronWorkflow")


def sensor_triggers(
    sensors: list[tuple[str, dict[str, Any]]], by_name: dict[str, list[OrchestratedPipeline]]
) -> None:
    """Mark, in place, each workflow of ``by_name`` (by its ``metadata.name``) that a
    sensor's trigger starts: an ``argoWorkflow`` or ``k8s`` trigger that submits or creates a
    workflow resource which is that workflow or refers to it (``workflowTemplateRef``, or a
    name). A trigger that stops, terminates or deletes one starts nothing; a workflow the
    trigger holds inline, or fetches from git or a URL, is not read."""
    for rel, doc in sensors:
        spec = as_dict(doc.get("spec"))
        events = [
            str(as_dict(d).get("eventSourceName") or as_dict(d).get("eventSource") or "")
            for d in as_list(spec.get("dependencies"))
        ]
        what = f"Argo Events sensor {as_dict(doc.get('metadata')).get('name', '')} ({rel})"
        if any(events):
            what += f" on {', '.join(e for e in events if e)}"
        for trigger in as_list(spec.get("triggers")):
            template = as_dict(as_dict(trigger).get("template"))
            for kind in ("argoWorkflow", "k8s"):
                body = as_dict(template.get(kind))
                resource = as_dict(as_dict(body.get("source")).get("resource"))
                if body.get("operation") not in _STARTS or resource.get("kind") not in _WORKFLOWS:
                    continue
                for name in _names(resource):
                    for pipe in by_name.get(name, []):
                        pipe.event_trigger = pipe.event_trigger or what


def _names(resource: dict[str, Any]) -> list[str]:
    """The workflow names a trigger's resource points at: its own, a template it refers to."""
    meta = as_dict(resource.get("metadata"))
    ref = as_dict(as_dict(resource.get("spec")).get("workflowTemplateRef"))
    found = [resource.get(k) for k in _NAME_KEYS] + [meta.get(k) for k in _NAME_KEYS]
    found.append(ref.get("name"))
    return [str(n) for n in found if n]
