"""CI configuration -> pipelines, triggers, jobs and the commands their steps run.

Covers GitHub Actions, GitLab CI and Azure Pipelines (templates followed through a
``resolve`` callback) structurally; CircleCI and Bitbucket through their ``run``/``script``
steps; other providers are in :mod:`.ci_more`. Input is already-loaded YAML (``yamlfile``).
Which file holds which provider is decided by content in :mod:`mlkaizen.evidence.ci_files`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mlkaizen.evidence.parse.yamlfile import LineDict, as_dict

GITLAB_RESERVED = frozenset(
    [
        "stages",
        "variables",
        "include",
        "default",
        "workflow",
        "image",
        "services",
        "before_script",
        "after_script",
        "cache",
        "pages",
        "spec",
    ]
)


@dataclass(frozen=True)
class Step:
    """One step: the shell it runs (``run``) and/or the action or task it uses."""

    run: str
    uses: str
    line: int
    name: str = ""
    file: str = ""  # the file the step is written in, when not the pipeline's (a template)
    cwd: str = ""  # the folder it runs in (``working-directory``), when not the checkout's

    @property
    def text(self) -> str:
        return f"{self.name}\n{self.uses}\n{self.run}"


@dataclass
class Job:
    name: str
    line: int
    steps: list[Step] = field(default_factory=list)
    environment: str | None = None
    scheduled: bool = False  # runs only (or also) on a schedule, by its own rules
    manual: bool = False  # needs a person to start it (GitLab `when: manual`)
    file: str = ""  # the file the job is written in, when not the pipeline's (an include)


@dataclass
class Pipeline:
    provider: str
    file: str
    line: int
    triggers: set[str] = field(default_factory=set)  # push, pull_request, schedule, ...
    schedules: list[tuple[str, int]] = field(default_factory=list)  # (cron, line)
    trigger_paths: list[str] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)

    @property
    def scheduled(self) -> bool:
        return bool(self.schedules) or "schedule" in self.triggers


def _line(node: Any, default: int) -> int:
    return node.line if isinstance(node, LineDict) else default


def _items(value: Any) -> list[Any]:
    """A YAML value that should be a list, as a list (anything else counts as empty)."""
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(str(v) for v in value if v is not None)
    return "" if value is None else str(value)


def github_actions(file: str, doc: Any) -> Pipeline | None:
    if not isinstance(doc, dict) or "jobs" not in doc:
        return None
    pipe = Pipeline("github-actions", file, _line(doc, 1))
    on = doc.get("on", doc.get(True))
    if isinstance(on, str):
        pipe.triggers.add(on)
    elif isinstance(on, list):
        pipe.triggers.update(str(t) for t in on)
    elif isinstance(on, dict):
        pipe.triggers.update(str(t) for t in on)
        for entry in _items(on.get("schedule")):
            if isinstance(entry, dict) and "cron" in entry:
                pipe.schedules.append((str(entry["cron"]), _line(entry, pipe.line)))
        for event in ("push", "pull_request"):
            spec = on.get(event)
            if isinstance(spec, dict):
                pipe.trigger_paths.extend(str(p) for p in _items(spec.get("paths")))
    jobs = doc.get("jobs")
    workflow_cwd = _text(as_dict(as_dict(doc.get("defaults")).get("run")).get("working-directory"))
    if isinstance(jobs, dict):
        for name, body in jobs.items():
            if not isinstance(body, dict):
                continue
            job = Job(str(name), _line(body, pipe.line))
            env = body.get("environment")
            job.environment = (
                str(env.get("name") if isinstance(env, dict) else env) if env else None
            )
            if body.get("uses"):
                job.steps.append(Step("", str(body["uses"]), job.line, str(name)))
            # the folder its steps run in: the job's default, else the workflow's
            run_defaults = as_dict(as_dict(body.get("defaults")).get("run"))
            default_cwd = _text(run_defaults.get("working-directory")) or workflow_cwd
            for step in _items(body.get("steps")):
                if isinstance(step, dict):
                    run = _text(step.get("run"))
                    with_ = step.get("with")
                    if isinstance(with_, dict):
                        run += "\n" + "\n".join(_text(v) for v in with_.values())
                    job.steps.append(
                        Step(
                            run,
                            _text(step.get("uses")),
                            _line(step, job.line),
                            _text(step.get("name")),
                            cwd=_text(step.get("working-directory")) or default_cwd,
                        )
                    )
            pipe.jobs.append(job)
    return pipe


def gitlab_ci(file: str, doc: Any) -> Pipeline | None:
    if not isinstance(doc, dict):
        return None
    pipe = Pipeline("gitlab-ci", file, _line(doc, 1), triggers={"push"})
    for name, body in doc.items():
        if not isinstance(name, str) or name in GITLAB_RESERVED or name.startswith("."):
            continue
        if not isinstance(body, dict):
            continue
        job = Job(name, _line(body, 1))
        env = body.get("environment")
        job.environment = str(env.get("name") if isinstance(env, dict) else env) if env else None
        job.manual = body.get("when") == "manual"
        rules = _text([r.get("if") for r in _items(body.get("rules")) if isinstance(r, dict)])
        only = _text(body.get("only"))
        job.scheduled = "schedule" in rules or "schedules" in only
        job.manual = job.manual or any(
            isinstance(r, dict) and r.get("when") == "manual" for r in _items(body.get("rules"))
        )
        for key in ("before_script", "script", "after_script"):
            if body.get(key):
                job.steps.append(Step(_text(body[key]), "", job.line, f"{name}:{key}"))
        if body.get("trigger") or body.get("extends"):
            job.steps.append(
                Step("", _text(body.get("trigger") or body.get("extends")), job.line, name)
            )
        pipe.jobs.append(job)
    if any(j.scheduled for j in pipe.jobs):
        pipe.triggers.add("schedule")
    return pipe if pipe.jobs else None


_AZURE_SCRIPT_KEYS = ("script", "bash", "powershell", "pwsh")
AZURE_STEP_KEYS = frozenset(
    [*_AZURE_SCRIPT_KEYS, "task", "template", "checkout", "download", "publish", "downloadBuild"]
)
AZURE_ROOT_KEYS = frozenset(["trigger", "pr", "schedules", "resources", "pool", "extends"])

# (file holding the reference, template path as written, files followed so far) -> the
# template's (file, document), or None when it is not followed (remote, missing, cyclic...)
Resolve = Callable[[str, str, tuple[str, ...]], "tuple[str, Any] | None"]


def _keyed_items(value: Any, keys: frozenset[str] | set[str]) -> bool:
    """A list with an item keyed by one of ``keys`` (others may be conditional insertions)."""
    return any(isinstance(i, dict) and keys & set(i) for i in _items(value))


def is_azure_pipeline(doc: Any) -> bool:
    """Whether a YAML document has the shape of an Azure Pipelines file (or template):
    ``stages`` of ``stage``s, ``jobs`` of ``job``/``deployment``s, ``steps`` of
    ``script``/``task``/... items, or ``extends: {template: ...}``."""
    if not isinstance(doc, dict):
        return False
    return (
        _keyed_items(doc.get("stages"), {"stage", "template"})
        or _keyed_items(doc.get("jobs"), {"job", "deployment", "template"})
        or _keyed_items(doc.get("steps"), set(AZURE_STEP_KEYS))
        or (isinstance(doc.get("extends"), dict) and "template" in doc["extends"])
    )


_AZURE_TASK = re.compile(r"^[\w.-]+@\d+$")  # AzureCLI@2, PublishTestResults@2


def is_azure_root(doc: Any) -> bool:
    """Whether an Azure-shaped document runs on its own (is not only a template): it sets a
    trigger, pool, schedule, resources or variables, has ``stage``/``job`` items, or uses a
    versioned task (``AzureCLI@2``). A bare ``steps: [{script: ...}]`` is not enough."""
    if not is_azure_pipeline(doc):
        return False
    if (AZURE_ROOT_KEYS | {"variables"}) & set(doc):
        return True
    if _keyed_items(doc.get("stages"), {"stage"}) or _keyed_items(
        doc.get("jobs"), {"job", "deployment"}
    ):
        return True
    return any(
        isinstance(s, dict) and _AZURE_TASK.match(str(s.get("task", "")))
        for s in _items(doc.get("steps"))
    )


# per pipeline, so that a file repeating one reference cannot make the expansion explode
MAX_TEMPLATE_USES = 1_000
MAX_EXPANDED_STEPS = 20_000


class StepBudget:
    """Steps (and jobs) and step text that the pipelines of one scan may be expanded to, all
    pipelines together: templates and composite actions used many times over cannot fan
    out past it. ``hit`` names the first limit that stopped an expansion."""

    def __init__(self, steps: int, text: int) -> None:
        self.steps = steps
        self.text = text
        self.hit: str | None = None

    def take(self, text: int) -> bool:
        """Count one step of ``text`` characters; ``False`` (and nothing counted) when it
        does not fit."""
        if self.steps <= 0 or text > self.text:
            self.hit = self.hit or ("max_ci_steps" if self.steps <= 0 else "max_ci_text")
            return False
        self.steps -= 1
        self.text -= text
        return True

    @property
    def spent(self) -> bool:
        return self.hit is not None


class _Azure:
    """Walks one Azure pipeline, following ``template:`` references through ``resolve``."""

    def __init__(self, pipe: Pipeline, resolve: Resolve | None, budget: StepBudget) -> None:
        self.pipe = pipe
        self.resolve = resolve
        self.budget = budget
        self.uses = 0
        self.made = 0

    def _template(self, file: str, ref: Any, chain: tuple[str, ...]) -> tuple[str, Any] | None:
        if (
            self.resolve is None
            or not isinstance(ref, str)
            or self.uses >= MAX_TEMPLATE_USES
            or self.budget.spent
        ):
            return None
        self.uses += 1
        found = self.resolve(file, ref, chain)
        return found if found is not None and isinstance(found[1], dict) else None

    def steps(self, steps: Any, line: int, file: str, chain: tuple[str, ...]) -> list[Step]:
        out: list[Step] = []
        for step in _items(steps):
            if self.made >= MAX_EXPANDED_STEPS or self.budget.spent:
                break
            if not isinstance(step, dict):
                continue
            self.made += 1
            found = self._template(file, step.get("template"), chain)
            if found is not None:
                out += self.steps(found[1].get("steps"), 1, found[0], (*chain, found[0]))
                continue
            run = "\n".join(_text(step[k]) for k in _AZURE_SCRIPT_KEYS if k in step)
            inputs = step.get("inputs")
            if isinstance(inputs, dict):
                run += "\n" + "\n".join(_text(v) for v in inputs.values())
            uses = _text(step.get("task") or step.get("template"))
            if not self.budget.take(len(run) + len(uses)):
                break
            where = "" if file == self.pipe.file else file
            cwd = _text(step.get("workingDirectory")) or _text(
                inputs.get("workingDirectory") if isinstance(inputs, dict) else None
            )
            out.append(
                Step(run, uses, _line(step, line), _text(step.get("displayName")), where, cwd)
            )
        return out

    def jobs(self, jobs: Any, file: str, chain: tuple[str, ...]) -> None:
        for body in _items(jobs):
            if self.budget.spent:
                break
            if not isinstance(body, dict):
                continue
            found = self._template(file, body.get("template"), chain)
            if found is not None:
                self.jobs(found[1].get("jobs"), found[0], (*chain, found[0]))
                if found[1].get("steps") and not found[1].get("jobs"):
                    self.loose_steps(found[1].get("steps"), found[0], (*chain, found[0]))
                continue
            name = _text(body.get("job") or body.get("deployment") or body.get("template") or "job")
            if not self.budget.take(len(name)):
                break
            job = Job(
                name, _line(body, self.pipe.line), file="" if file == self.pipe.file else file
            )
            env = body.get("environment")
            job.environment = (
                str(env.get("name") if isinstance(env, dict) else env) if env else None
            )
            job.steps = self.steps(body.get("steps"), job.line, file, chain)
            strategy = body.get("strategy")
            if isinstance(strategy, dict):
                for phase in strategy.values():
                    if isinstance(phase, dict):
                        for hook in phase.values():
                            if isinstance(hook, dict):
                                job.steps += self.steps(hook.get("steps"), job.line, file, chain)
            self.pipe.jobs.append(job)

    def stages(self, stages: Any, file: str, chain: tuple[str, ...]) -> None:
        for stage in _items(stages):
            if self.budget.spent:
                break
            if not isinstance(stage, dict):
                continue
            found = self._template(file, stage.get("template"), chain)
            if found is not None:
                self.body(found[1], found[0], (*chain, found[0]))
            else:
                self.jobs(stage.get("jobs"), file, chain)

    def loose_steps(self, steps: Any, file: str, chain: tuple[str, ...]) -> None:
        line = self.pipe.line if file == self.pipe.file else 1
        job = Job("steps", line, self.steps(steps, line, file, chain))
        job.file = "" if file == self.pipe.file else file
        self.pipe.jobs.append(job)

    def body(self, doc: dict[Any, Any], file: str, chain: tuple[str, ...]) -> None:
        self.stages(doc.get("stages"), file, chain)
        self.jobs(doc.get("jobs"), file, chain)
        if doc.get("steps"):
            self.loose_steps(doc.get("steps"), file, chain)
        extends = doc.get("extends")
        if isinstance(extends, dict):
            found = self._template(file, extends.get("template"), chain)
            if found is not None:
                self.body(found[1], found[0], (*chain, found[0]))


def _azure_triggers(pipe: Pipeline, doc: dict[Any, Any]) -> None:
    trigger = doc.get("trigger", "default")
    if trigger != "none":
        pipe.triggers.add("push")
    if isinstance(trigger, dict):
        paths = trigger.get("paths")
        if isinstance(paths, dict):
            pipe.trigger_paths.extend(str(p) for p in _items(paths.get("include")))
    if doc.get("pr") not in (None, "none"):
        pipe.triggers.add("pull_request")
    resources = doc.get("resources")
    if isinstance(resources, dict):
        for res in _items(resources.get("pipelines")):
            if isinstance(res, dict) and res.get("trigger") not in (None, "none", False):
                pipe.triggers.add("pipeline_completion")
    for entry in _items(doc.get("schedules")):
        if isinstance(entry, dict) and "cron" in entry:
            pipe.schedules.append((str(entry["cron"]), _line(entry, pipe.line)))


def azure_pipelines(
    file: str, doc: Any, resolve: Resolve | None = None, budget: StepBudget | None = None
) -> Pipeline | None:
    """An Azure pipeline; ``template:`` references are followed through ``resolve``, and
    the steps and jobs made are counted against ``budget`` (shared by a scan's pipelines)."""
    if not is_azure_pipeline(doc):
        return None
    pipe = Pipeline("azure-pipelines", file, _line(doc, 1))
    _azure_triggers(pipe, doc)
    own = budget or StepBudget(MAX_EXPANDED_STEPS, MAX_EXPANDED_STEPS * 1024)
    _Azure(pipe, resolve, own).body(doc, file, (file,))
    return pipe


def generic_run_steps(provider: str, file: str, doc: Any) -> Pipeline | None:
    """CircleCI / Bitbucket: collect every ``run`` / ``script`` / ``command`` as a step."""
    if not isinstance(doc, dict):
        return None
    pipe = Pipeline(provider, file, _line(doc, 1), triggers={"push"})
    job = Job(provider, pipe.line)
    stack: list[Any] = [doc]
    budget = 20_000
    while stack and budget:
        budget -= 1
        node = stack.pop()
        if isinstance(node, dict):
            for key in ("run", "script", "command"):
                value = node.get(key)
                if isinstance(value, (str, list)):
                    job.steps.append(Step(_text(value), "", _line(node, pipe.line)))
                elif isinstance(value, dict) and "command" in value:
                    job.steps.append(Step(_text(value["command"]), "", _line(value, pipe.line)))
            if "triggers" in node or "schedule" in node:
                pipe.triggers.add("schedule")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    pipe.jobs.append(job)
    return pipe
