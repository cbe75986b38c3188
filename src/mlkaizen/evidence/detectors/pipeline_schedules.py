"""Mechanism: schedules declared by a Prefect deployment, beside the flow or in a script of
their own, attached to the pipeline they run."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from mlkaizen.evidence.parse.python_src import Call
from mlkaizen.evidence.tree import RepoTree

if TYPE_CHECKING:
    from mlkaizen.evidence.detectors.pipeline_model import OrchestratedPipeline

SCHEDULE_KW = ("schedule", "schedule_interval", "cron")
# a Prefect deployment declared in a file of its own: (call, keywords naming the flow's file)
_DEPLOYMENTS = (
    "prefect.deployments.DeploymentSpec",
    "prefect.deployments.Deployment",
    ".build_from_flow",
    ".to_deployment",
    ".deploy",
    ".serve",
    "prefect.deploy",
    "prefect.serve",
)
_FLOW_FILE_KW = ("flow_location", "entrypoint", "path")


def schedules_elsewhere(tree: RepoTree, pipes: list[OrchestratedPipeline]) -> None:
    """A schedule declared by a Prefect deployment (``Deployment(...)``,
    ``Deployment.build_from_flow``, ``DeploymentSpec``) beside the flow or in a script that
    names the flow's file or imports the flow: the schedule is attached to that pipeline."""
    by_file: dict[str, list[OrchestratedPipeline]] = {}
    for pipe in pipes:
        by_file.setdefault(pipe.file, []).append(pipe)
    for rel in tree.importing({"prefect"}):
        facts = tree.python(rel)
        if facts is None:
            continue
        for call in facts.find_calls(_DEPLOYMENTS, include_decorators=False):
            if not any(
                k in call.keywords and call.constant(k) != "None"
                for k in (*SCHEDULE_KW, "interval", "rrule", "schedules")
            ):
                continue
            targets = _flow_files(tree, rel, call, facts.imports)
            if "flow" in call.keywords or call.name.endswith((".serve", ".deploy")):
                targets.append(rel)  # ``Deployment(flow=main, ...)`` beside ``@flow def main``
            for target in targets:
                for pipe in by_file.get(target, []):
                    if pipe.schedule is None:
                        where = "" if target == rel else f" in {rel}"
                        pipe.schedule = f"Prefect deployment{where} (line {call.line})"


def _flow_files(tree: RepoTree, rel: str, call: Call, imports: dict[str, int]) -> list[str]:
    """Files of the repository a deployment call points at: a path given as a keyword
    (``flow_location="./train_flow.py"``, ``entrypoint="flows/train.py:main"``), or the
    modules the deployment's file imports from the repository."""
    folder = posixpath.dirname(rel)
    found: list[str] = []
    for key in _FLOW_FILE_KW:
        value = call.constant(key)
        if value and value[0] in "'\"":
            path = value[1:-1].split(":", 1)[0]
            for base in (folder, ""):
                full = posixpath.normpath(posixpath.join(base, path))
                if full in tree.sizes and full not in found:
                    found.append(full)
    for name in imports:
        parts = name.split(".")
        for n in range(len(parts), 0, -1):
            module = "/".join(parts[:n]) + ".py"
            for base in (folder, ""):
                full = posixpath.normpath(posixpath.join(base, module))
                if full in tree.sizes and full not in found:
                    found.append(full)
    return found
