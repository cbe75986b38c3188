"""Argo Events: a sensor whose trigger starts an Argo workflow starts that pipeline on an
event (a webhook, an alert, a new object in a bucket, a message), not by a person."""

from __future__ import annotations

from typing import Any

from mlkaizen.evidence.detectors.pipeline_model import OrchestratedPipeline
from mlkaizen.evidence.parse.yamlfile import as_dict, as_list

_NAME_KEYS = ("name", "generateName")


def sensor_triggers(
    sensors: list[tuple[str, dict[str, Any]]], by_name: dict[str, OrchestratedPipeline]
) -> None:
    """Mark, in place, each workflow of ``by_name`` (its ``metadata.name``) that a sensor's
    trigger starts: an ``argoWorkflow`` or ``k8s`` trigger whose resource is that workflow,
    refers to it (``workflowTemplateRef``, a name), or runs it inline."""
    for rel, doc in sensors:
        spec = as_dict(doc.get("spec"))
        events = [str(as_dict(d).get("eventSourceName") or as_dict(d).get("eventSource") or "")
                  for d in as_list(spec.get("dependencies"))]
        what = f"Argo Events sensor {as_dict(doc.get('metadata')).get('name', '')} ({rel})"
        if any(events):
            what += f" on {', '.join(e for e in events if e)}"
        for trigger in as_list(spec.get("triggers")):
            template = as_dict(as_dict(trigger).get("template"))
            for kind in ("argoWorkflow", "k8s"):
                source = as_dict(as_dict(template.get(kind)).get("source"))
                resource = as_dict(source.get("resource"))
                for name in _names(resource):
                    pipe = by_name.get(name)
                    if pipe is not None and pipe.event_trigger is None:
                        pipe.event_trigger = what


def _names(resource: dict[str, Any]) -> list[str]:
    """The workflow names a trigger's resource points at: its own, a template it refers to."""
    meta = as_dict(resource.get("metadata"))
    spec = as_dict(resource.get("spec"))
    ref = as_dict(spec.get("workflowTemplateRef"))
    found = [resource.get(k) for k in _NAME_KEYS] + [meta.get(k) for k in _NAME_KEYS]
    found.append(ref.get("name"))
    return [str(n).rstrip("-") for n in found if n]
