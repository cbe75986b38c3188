"""More CI providers -> the same :class:`Pipeline` model as :mod:`.ci`.

Google Cloud Build, Drone, Buildkite, Tekton and Argo Workflows from loaded YAML; Jenkins
declarative pipelines from the Groovy text. Each ``is_*`` function recognises a provider by
the shape of the document, never by a file name alone.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from mlkaizen.evidence.parse.ci import Job, Pipeline, Step, _items, _line, _text

# an image reference: registry/path[:tag][@digest] or name:tag
_IMAGE = re.compile(
    r"^(?:[\w.-]+(?::\d+)?/)+[\w.-]+(?::[\w.-]+)?(?:@sha256:[0-9a-f]+)?$"
    r"|^[\w.-]+:[\w.-]+$"
    r"|^\$\{?_?[A-Z][A-Z0-9_]*\}?$"  # a Cloud Build substitution ($_CICD_IMAGE_URI)
)
CLOUD_BUILD_IMAGES = ("gcr.io/cloud-builders/", "gcr.io/google.com/cloudsdktool/")


def _words(*parts: Any) -> str:
    """A command line from an entrypoint/command and its arguments (strings or lists)."""
    out: list[str] = []
    for part in parts:
        out += [str(p) for p in part if p is not None] if isinstance(part, list) else [str(part)]
    return " ".join(w for w in out if w and w != "None")


def _dicts(value: Any) -> list[dict[Any, Any]]:
    return [i for i in _items(value) if isinstance(i, dict)]


def is_cloud_build(doc: Any, *, named: bool = False) -> bool:
    """Steps that each run an image (``name: gcr.io/cloud-builders/gcloud``) with ``args``,
    ``entrypoint`` or ``script``. A bare image name (``python``) counts only in a file named
    for Cloud Build (``named``)."""
    if not isinstance(doc, dict) or "kind" in doc:
        return False
    steps = _dicts(doc.get("steps"))
    if not steps or len(steps) != len(_items(doc.get("steps"))):
        return False
    images = [str(s.get("name", "")) for s in steps]
    if not all(_IMAGE.match(i) or (named and re.fullmatch(r"[\w.-]+", i)) for i in images):
        return False
    return any({"args", "entrypoint", "script"} & set(s) for s in steps)


# a shell's option that runs the next argument as a script (``-c``, ``-ec``, ``-xc``)
_SHELL_SCRIPT = re.compile(r"^-[a-z]*c$")
_SHELLS = frozenset({"bash", "sh", "/bin/bash", "/bin/sh", "/usr/bin/env bash"})


def _shell_script(entrypoint: str, args: Any) -> str | None:
    """The script a shell step runs (``entrypoint: bash``, ``args: ['-e', '-c', '...']``):
    the arguments after the option that ends in ``c``, all before it being options. ``None``
    for any other step (``python3 -c 'code'`` is a command with its code)."""
    if entrypoint not in _SHELLS or not isinstance(args, list):
        return None
    for i, arg in enumerate(args):
        word = str(arg)
        if _SHELL_SCRIPT.match(word):
            return _words(args[i + 1 :]) if i + 1 < len(args) else None
        if not word.startswith("-"):
            return None
    return None


def cloud_build(file: str, doc: Any) -> Pipeline | None:
    named = file.rsplit("/", 1)[-1].lower().startswith("cloudbuild")
    if not is_cloud_build(doc, named=named):
        return None
    pipe = Pipeline("cloud-build", file, _line(doc, 1), triggers={"push"})
    job = Job("steps", pipe.line)
    for step in _dicts(doc.get("steps")):
        image = _text(step.get("name"))
        builder = image.startswith(CLOUD_BUILD_IMAGES)
        tool = image.rsplit("/", 1)[-1].split(":")[0] if builder else ""
        entrypoint = _text(step.get("entrypoint")) or tool
        args = step.get("args")
        script = _shell_script(entrypoint, args)
        command = script if script is not None else _words(entrypoint, args)
        run = "\n".join(c for c in (command, _text(step.get("script"))) if c)
        job.steps.append(Step(run, image, _line(step, pipe.line), _text(step.get("id"))))
    pipe.jobs.append(job)
    return pipe


def is_drone(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and doc.get("kind") == "pipeline"
        and any("commands" in s or "image" in s for s in _dicts(doc.get("steps")))
    )


def drone(file: str, doc: Any) -> Pipeline | None:
    if not is_drone(doc):
        return None
    pipe = Pipeline("drone", file, _line(doc, 1), triggers={"push"})
    trigger = doc.get("trigger")
    if isinstance(trigger, dict) and "cron" in _text(trigger.get("event")):
        pipe.triggers.add("schedule")
    job = Job(_text(doc.get("name")) or "pipeline", pipe.line)
    for step in _dicts(doc.get("steps")):
        job.steps.append(
            Step(
                _text(step.get("commands")),
                _text(step.get("image")),
                _line(step, pipe.line),
                _text(step.get("name")),
            )
        )
    pipe.jobs.append(job)
    return pipe


_BUILDKITE_KEYS = frozenset({"label", "agents", "plugins", "key", "depends_on", "artifact_paths"})


def is_buildkite(doc: Any, *, in_folder: bool = False) -> bool:
    """Top-level ``steps`` with ``command``/``commands``; outside ``.buildkite/`` a step must
    also carry a Buildkite key (``label``, ``agents``, ``plugins``...)."""
    if not isinstance(doc, dict) or "kind" in doc:
        return False
    steps = _dicts(doc.get("steps"))
    with_command = [s for s in steps if "command" in s or "commands" in s]
    if not with_command:
        return False
    return in_folder or any(_BUILDKITE_KEYS & set(s) for s in with_command)


def buildkite(file: str, doc: Any) -> Pipeline | None:
    if not is_buildkite(doc, in_folder="/.buildkite/" in f"/{file}"):
        return None
    pipe = Pipeline("buildkite", file, _line(doc, 1), triggers={"push"})
    job = Job("steps", pipe.line)
    for step in _dicts(doc.get("steps")):
        command = _text(step.get("command") or step.get("commands"))
        if command or "block" in step:
            job.steps.append(
                Step(command, "", _line(step, pipe.line), _text(step.get("label") or ""))
            )
        if "block" in step or "input" in step:
            job.manual = True
    pipe.jobs.append(job)
    return pipe


TEKTON_KINDS = frozenset({"Task", "ClusterTask", "Pipeline", "PipelineRun", "TaskRun"})
ARGO_KINDS = frozenset({"Workflow", "CronWorkflow", "WorkflowTemplate", "ClusterWorkflowTemplate"})


def _api(doc: Any, group: str, kinds: frozenset[str]) -> bool:
    return (
        isinstance(doc, dict)
        and str(doc.get("apiVersion", "")).startswith(group + "/")
        and doc.get("kind") in kinds
    )


def _tekton_steps(spec: Any, line: int) -> list[Step]:
    out: list[Step] = []
    for step in _dicts(spec.get("steps") if isinstance(spec, dict) else None):
        command = _words(step.get("command"), step.get("args"))
        run = "\n".join(c for c in (_text(step.get("script")), command) if c)
        out.append(Step(run, _text(step.get("image")), _line(step, line), _text(step.get("name"))))
    return out


def tekton(file: str, doc: Any) -> Pipeline | None:
    """A Tekton Task (its steps) or Pipeline (its tasks, inline or by reference)."""
    if not _api(doc, "tekton.dev", TEKTON_KINDS):
        return None
    pipe = Pipeline("tekton", file, _line(doc, 1))
    spec = doc.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    name = _text(
        (doc.get("metadata") or {}).get("name") if isinstance(doc.get("metadata"), dict) else ""
    ) or str(doc["kind"])
    if doc["kind"] in ("Task", "ClusterTask"):
        pipe.jobs.append(Job(name, pipe.line, _tekton_steps(spec, pipe.line)))
    else:
        inner = spec.get("pipelineSpec", spec) if doc["kind"] == "PipelineRun" else spec
        if doc["kind"] == "TaskRun":
            inner = {"tasks": [{"name": name, "taskSpec": spec.get("taskSpec")}]}
        for task in _dicts(inner.get("tasks") if isinstance(inner, dict) else None):
            line = _line(task, pipe.line)
            ref = task.get("taskRef")
            steps = _tekton_steps(task.get("taskSpec"), line)
            if isinstance(ref, dict):
                steps.insert(0, Step("", _text(ref.get("name")), line, _text(task.get("name"))))
            pipe.jobs.append(Job(_text(task.get("name")) or "task", line, steps))
    return pipe


def argo_workflow(file: str, doc: Any) -> Pipeline | None:
    """An Argo Workflow / CronWorkflow / WorkflowTemplate: one job per container or script
    template; a CronWorkflow's schedule is the pipeline's."""
    if not _api(doc, "argoproj.io", ARGO_KINDS):
        return None
    pipe = Pipeline("argo-workflows", file, _line(doc, 1))
    spec = doc.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    if doc["kind"] == "CronWorkflow":
        for cron in [spec.get("schedule"), *_items(spec.get("schedules"))]:
            if isinstance(cron, str):
                pipe.schedules.append((cron, _line(spec, pipe.line)))
        inner = spec.get("workflowSpec")
        spec = inner if isinstance(inner, dict) else {}
    for template in _dicts(spec.get("templates")):
        body = template.get("container") or template.get("script")
        if not isinstance(body, dict):
            continue
        command = _words(body.get("command"), body.get("args"))
        run = "\n".join(c for c in (command, _text(body.get("source"))) if c)
        line = _line(template, pipe.line)
        name = _text(template.get("name"))
        pipe.jobs.append(
            Job(name or "template", line, [Step(run, _text(body.get("image")), line, name)])
        )
    return pipe


# Jenkins declarative pipelines -----------------------------------------------------------

_STAGE = re.compile(r"\bstage\s*\(\s*(['\"])(.*?)\1\s*\)")
_SH = re.compile(  # quoted bodies are bounded: an unclosed quote never scans the whole file
    r"\b(?:sh|bat|powershell|pwsh)\s*\(?\s*(?:script\s*:\s*)?"
    r"(?:'{3}(?P<t1>.{0,20000}?)'{3}|\"{3}(?P<t2>.{0,20000}?)\"{3}"
    r"|'(?P<s1>[^'\n]*)'|\"(?P<s2>[^\"\n]*)\")",
    re.S,
)


def is_jenkinsfile(text: str) -> bool:
    """Declarative (``pipeline { stages { ... } }``) or scripted (``node { ... }``) Groovy."""
    return bool(re.search(r"^\s*(pipeline|node)\s*(\(.*\))?\s*\{", text, re.M)) and bool(
        _SH.search(text) or _STAGE.search(text)
    )


MAX_JENKINS_STEPS = 2_000  # per stage: a Jenkinsfile of more is not a pipeline anyone runs
# a Jenkins pipeline step of a plugin, called with arguments on its own line
_PLUGIN_STEP = re.compile(r"(?m)^[ \t]*([a-z][A-Za-z0-9]*)[ \t]*\([^\n]{0,300}")
_NOT_PLUGIN_STEPS = frozenset(
    """sh bat powershell pwsh echo script dir stage steps node when timeout retry
    withCredentials withEnv environment parameters options triggers cron pollSCM input
    error catchError unstable fileExists readFile writeFile stash unstash parallel
    def if for while return println""".split()  # noqa: SIM905
)


def jenkinsfile(file: str, text: str) -> Pipeline | None:
    """One job per ``stage('...')``, with the ``sh``/``bat`` commands written inside it and
    the plugin steps it calls (``kubernetesDeploy(...)``), in the order written."""
    if not is_jenkinsfile(text):
        return None
    pipe = Pipeline("jenkins", file, 1, triggers={"push"})
    if re.search(r"\bcron\s*\(", text):
        pipe.triggers.add("schedule")
        pipe.schedules.append(("cron", text.count("\n", 0, text.index("cron")) + 1))
    breaks = [i for i, c in enumerate(text) if c == "\n"]  # a line is one bisection away

    def line_at(offset: int) -> int:
        return bisect.bisect_left(breaks, offset) + 1

    stages = [(m.start(), m.group(2)) for m in _STAGE.finditer(text)]
    jobs: dict[int, Job] = {}
    for index, (offset, name) in enumerate(stages):
        end = stages[index + 1][0] if index + 1 < len(stages) else len(text)
        job = Job(name, line_at(offset))
        job.manual = bool(re.search(r"\binput\s*[({]|\binput\s+message", text[offset:end]))
        jobs[offset] = job
    loose = Job("pipeline", 1)
    starts = [offset for offset, _ in stages]

    def add(at: int, step: Step) -> None:
        index = bisect.bisect_left(starts, at) - 1
        job = jobs[starts[index]] if index >= 0 else loose
        if len(job.steps) < MAX_JENKINS_STEPS:
            job.steps.append(step)

    for match in _SH.finditer(text):
        command = next(g for g in match.group("t1", "t2", "s1", "s2") if g is not None)
        add(match.start(), Step(command, "", line_at(match.start()), ""))
    for match in _PLUGIN_STEP.finditer(text):  # kubernetesDeploy(...), s3Upload(...)
        if match.group(1) not in _NOT_PLUGIN_STEPS:
            add(match.start(), Step("", match.group(0).strip()[:200], line_at(match.start()), ""))
    for job in (loose, *jobs.values()):  # a step's name is its job's
        job.steps = [Step(s.run, s.uses, s.line, job.name) for s in job.steps]
    for job in (loose, *jobs.values()):
        job.steps.sort(key=lambda step: step.line)
    pipe.jobs = [j for j in (loose, *jobs.values()) if j.steps or j is not loose]
    return pipe


def codebuild(file: str, doc: Any) -> Pipeline | None:
    """An AWS CodeBuild build specification (``version`` and ``phases``, each phase's
    ``commands`` a step); CodePipeline runs it on a push to its source."""
    if not isinstance(doc, dict) or "version" not in doc or not isinstance(doc.get("phases"), dict):
        return None
    pipe = Pipeline("codebuild", file, _line(doc, 1), triggers={"push"})
    job = Job("build", pipe.line)
    for name, phase in doc["phases"].items():
        if isinstance(phase, dict):
            for command in _items(phase.get("commands")):
                job.steps.append(Step(_text(command), "", _line(phase, pipe.line), str(name)))
    if not job.steps:
        return None
    pipe.jobs.append(job)
    return pipe
