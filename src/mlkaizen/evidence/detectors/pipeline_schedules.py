"""Mechanism: schedules declared away from the pipeline they run, attached to it: a Prefect
deployment beside the flow or in a script of its own; a Dagster schedule in a module of its
own that names its job, and a Dagster code location (``Definitions``) whose schedules run the
assets and jobs of the modules it imports."""

from __future__ import annotations

import posixpath
import re
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
_DAGSTER_SCHEDULES = (
    "dagster.ScheduleDefinition",
    "dagster.schedule",
    "dagster.build_schedule_from_partitioned_job",
)
_DAGSTER_SENSORS = (
    "dagster.sensor",
    "dagster.asset_sensor",
    "dagster.multi_asset_sensor",
    "dagster.SensorDefinition",
)


def _by_file(pipes: list[OrchestratedPipeline]) -> dict[str, list[OrchestratedPipeline]]:
    by_file: dict[str, list[OrchestratedPipeline]] = {}
    for pipe in pipes:
        by_file.setdefault(pipe.file, []).append(pipe)
    return by_file


def schedules_elsewhere(tree: RepoTree, pipes: list[OrchestratedPipeline]) -> None:
    """A schedule declared by a Prefect deployment (``Deployment(...)``,
    ``Deployment.build_from_flow``, ``DeploymentSpec``) beside the flow or in a script that
    names the flow's file or imports the flow: the schedule is attached to that pipeline."""
    by_file = _by_file(pipes)
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


def dagster_schedules(tree: RepoTree, pipes: list[OrchestratedPipeline]) -> None:
    """A Dagster schedule (or sensor) declared in a module of its own is attached to the job
    it names (``job_name="train_job"``: the pipeline whose module defines ``train_job``) or
    to the pipelines of the modules it imports (``job=train_job``), an asset job's assets
    among them (:func:`_asset_job_targets`); a code location that holds schedules and no
    steps of its own (``Definitions(assets=..., schedules=[...])``) hands its schedule to
    the pipelines of the modules it imports."""
    dagster = [p for p in pipes if p.tool == "Dagster"]
    if not dagster:
        return
    by_file = _by_file(dagster)
    for rel in tree.importing({"dagster"}):
        facts = tree.python(rel)
        if facts is None:
            continue
        for patterns, what in ((_DAGSTER_SCHEDULES, "schedule"), (_DAGSTER_SENSORS, "sensor")):
            calls = facts.find_calls(patterns)
            if not calls:
                continue
            targets = [f for f in imported_files(tree, rel, facts.imports) if f != rel]
            named = {(c.constant("job_name") or "").strip("'\"") for c in calls} - {""}
            targets += [p.file for p in dagster if any(_defines(tree, p.file, n) for n in named)]
            targets += [m for m in _asset_job_modules(tree, named) if m not in targets]
            names = _job_names(tree.text(rel) or "") | named
            targets += _asset_job_targets(tree, dagster, targets, names)
            where = f"Dagster {what} in {rel} (line {calls[0].line})"
            for target in dict.fromkeys(targets):
                for pipe in by_file.get(target, []):
                    if what == "schedule" and pipe.schedule is None:
                        pipe.schedule = where
                    elif what == "sensor" and pipe.event_trigger is None:
                        pipe.event_trigger = where
    for pipe in dagster:
        facts = tree.python(pipe.file)
        if pipe.steps or pipe.schedule is None or facts is None:
            continue
        for target in imported_files(tree, pipe.file, facts.imports):
            for other in by_file.get(target, []):
                if other is not pipe and other.schedule is None:
                    other.schedule = f"{pipe.schedule} in {pipe.file}"


_ASSET_DECORATORS = ("dagster.asset", "dagster.multi_asset")
# ``retrain_job = define_asset_job(...)``: where each asset job of a module starts
_ASSET_JOB = re.compile(r"(?m)^[ \t]*([A-Za-z_]\w*)[ \t]*=[ \t]*(?:\w+\.)?define_asset_job\(")
# the jobs a schedule or sensor names: ``job=retrain_job``, ``jobs=[a, b]``
_JOB_REF = re.compile(r"\bjob[ \t]*=[ \t]*([A-Za-z_]\w*)|\bjobs[ \t]*=[ \t]*\[([^\]\n]*)\]")
_NAME = re.compile(r"[A-Za-z_]\w*")


def _asset_job_modules(tree: RepoTree, names: set[str]) -> list[str]:
    """The modules that define an asset job a schedule or sensor names by string
    (``@sensor(job_name="retrain_job")``): as its variable or as its ``name``, wherever
    the module is (the code location usually imports the sensor, not the other way)."""
    if not names:
        return []
    alts = "|".join(re.escape(n) for n in sorted(names))
    defines = re.compile(
        rf"(?m)^[ \t]*(?:{alts})[ \t]*=[ \t]*(?:\w+\.)?define_asset_job\("
        rf"|define_asset_job\((?:[^()]|\([^()]{{0,200}}\)){{0,400}}?\bname[ \t]*=[ \t]*"
        rf"[\"'](?:{alts})[\"']"
    )
    return [
        rel
        for rel in tree.importing({"dagster"})
        if "define_asset_job" in (text := tree.text(rel) or "") and defines.search(text)
    ]


def _job_names(text: str) -> set[str]:
    """The job variables a schedule or sensor module passes (``job=retrain_job``)."""
    names: set[str] = set()
    for match in _JOB_REF.finditer(text):
        names.update([match.group(1)] if match.group(1) else _NAME.findall(match.group(2)))
    return names


def _owner(jobs: list[tuple[int, str]], line: int) -> str | None:
    """The asset job whose definition the call at ``line`` is part of (the last one
    started above it)."""
    return next((name for start, name in reversed(jobs) if start <= line), None)


def _asset_job_targets(
    tree: RepoTree, dagster: list[OrchestratedPipeline], modules: list[str], names: set[str]
) -> list[str]:
    """The files of the assets that the asset jobs of ``modules`` select: a job made with
    ``define_asset_job(selection=AssetSelection.groups("training"))`` runs the assets
    declared with ``group_name="training"``; ``AssetSelection.all()`` (or
    ``selection="*"``) runs every asset, and
    ``AssetSelection.all() - AssetSelection.groups("training")`` every one but those. Only
    the jobs ``names`` names count when a module defines any of them."""
    groups: set[str] = set()
    every = False
    excluded: set[str] = set()
    for module in modules:
        facts = tree.python(module)
        if facts is None or not facts.find_calls(("dagster.define_asset_job",)):
            continue
        text = tree.text(module) or ""
        jobs = [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in _ASSET_JOB.finditer(text)]
        # a job named by its variable (``job=retrain_job``) or by its ``name`` (a sensor's
        # ``job_name="retrain_job"``)
        by_name = {
            _owner(jobs, c.line)
            for c in facts.find_calls(("dagster.define_asset_job",))
            if (c.constant("name") or "").strip("'\"") in names
        }
        chosen = ({name for _, name in jobs} & names) | {v for v in by_name if v is not None}
        lines = text.splitlines()
        for call in facts.find_calls(("dagster.define_asset_job",)):
            # the selection string "*" is every asset, as ``AssetSelection.all()`` is
            if call.constant("selection") in ("'*'", '"*"') and (
                not chosen or _owner(jobs, call.line) in chosen
            ):
                every = True
        for call in facts.find_calls(("dagster.AssetSelection.all",)):
            if chosen and _owner(jobs, call.line) not in chosen:
                continue
            every = True
            after = lines[call.line - 1].split("all()", 1)[-1] if call.line <= len(lines) else ""
            if after.lstrip().startswith("-") and "groups" in after:  # all() - groups("x")
                excluded.update(_NAME.findall(after.split("groups", 1)[1]))
        for call in facts.find_calls(("dagster.AssetSelection.groups",)):
            if not chosen or _owner(jobs, call.line) in chosen:
                groups.update(arg.strip("'\"") for arg in call.str_args)
    if every:
        groups = set()
    if not groups and not every:
        return []
    out: list[str] = []
    for pipe in dagster:
        facts = tree.python(pipe.file)
        if facts is None:
            continue
        assets = [d for d in facts.decorators if d.name in _ASSET_DECORATORS]
        names_of = [(d.constant("group_name") or "").strip("'\"") for d in assets]
        if any(g not in excluded if every else g in groups for g in names_of):
            out.append(pipe.file)
    return out


def _defines(tree: RepoTree, rel: str, name: str) -> bool:
    facts = tree.python(rel)
    return facts is not None and name in facts.functions


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
    return found + [f for f in imported_files(tree, rel, imports) if f not in found]


def imported_files(tree: RepoTree, rel: str, imports: dict[str, int]) -> list[str]:
    """The modules of the repository that ``rel`` imports (:func:`local_module`)."""
    found = (local_module(tree, rel, name) for name in imports)
    return list(dict.fromkeys(f for f in found if f is not None))


def local_module(tree: RepoTree, rel: str, dotted: str) -> str | None:
    """The repository file an import in ``rel`` names (``ops.sklearn_ops.fit_model`` ->
    ``src/ops/sklearn_ops.py``), looked up from ``rel``'s folder and each folder above it,
    then ``src/`` (the src layout), packages with or without ``__init__.py``; ``None`` for
    a module from elsewhere. A relative name (``..jobs.retrain_job``) is looked up from the
    package its dots name only; a name the package itself defines (``from .. import
    retrain_job``) is its ``__init__.py``."""
    folder = posixpath.dirname(rel)
    level = len(dotted) - len(dotted.lstrip("."))
    if level:
        for _ in range(level - 1):
            if not folder:
                return None  # above the repository's root
            folder = posixpath.dirname(folder)
        parts = dotted[level:].split(".")
        bases = [folder]
    else:
        parts = dotted.split(".")
        bases = [folder]
        while folder:
            folder = posixpath.dirname(folder)
            bases.append(folder)
        if "src" not in bases:
            bases.append("src")  # the src layout: ``tests/`` imports ``src/pkg`` as ``pkg``
    for n in range(len(parts), 0, -1):
        for module in ("/".join(parts[:n]) + ".py", "/".join(parts[:n]) + "/__init__.py"):
            for base in bases:
                full = posixpath.join(base, module) if base else module
                if full in tree.sizes:
                    return full
    init = posixpath.join(bases[0], "__init__.py")  # a name the package itself defines
    return init if level and init in tree.sizes and init != rel else None
