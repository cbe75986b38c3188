"""CI configuration -> pipelines, triggers, jobs and the commands their steps run.

Covers GitHub Actions, GitLab CI and Azure Pipelines structurally; CircleCI and Bitbucket
through their ``run``/``script`` steps. Input is already-loaded YAML (see ``yamlfile``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlkaizen.evidence.parse.yamlfile import LineDict

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


def _azure_steps(steps: Any, default_line: int) -> list[Step]:
    out: list[Step] = []
    for step in _items(steps):
        if not isinstance(step, dict):
            continue
        run = "\n".join(_text(step[k]) for k in _AZURE_SCRIPT_KEYS if k in step)
        inputs = step.get("inputs")
        if isinstance(inputs, dict):
            run += "\n" + "\n".join(_text(v) for v in inputs.values())
        uses = _text(step.get("task") or step.get("template"))
        out.append(Step(run, uses, _line(step, default_line), _text(step.get("displayName"))))
    return out


def _azure_jobs(jobs: Any, pipe: Pipeline) -> None:
    for body in _items(jobs):
        if not isinstance(body, dict):
            continue
        name = _text(body.get("job") or body.get("deployment") or body.get("template") or "job")
        job = Job(name, _line(body, pipe.line))
        env = body.get("environment")
        job.environment = str(env.get("name") if isinstance(env, dict) else env) if env else None
        job.steps = _azure_steps(body.get("steps"), job.line)
        strategy = body.get("strategy")
        if isinstance(strategy, dict):
            for phase in strategy.values():
                if isinstance(phase, dict):
                    for hook in phase.values():
                        if isinstance(hook, dict):
                            job.steps += _azure_steps(hook.get("steps"), job.line)
        pipe.jobs.append(job)


def azure_pipelines(file: str, doc: Any) -> Pipeline | None:
    if not isinstance(doc, dict) or not ({"stages", "jobs", "steps"} & set(doc)):
        return None
    pipe = Pipeline("azure-pipelines", file, _line(doc, 1), triggers={"push"})
    if doc.get("pr") not in (None, "none"):
        pipe.triggers.add("pull_request")
    for entry in _items(doc.get("schedules")):
        if isinstance(entry, dict) and "cron" in entry:
            pipe.schedules.append((str(entry["cron"]), _line(entry, pipe.line)))
    for stage in _items(doc.get("stages")):
        if isinstance(stage, dict):
            _azure_jobs(stage.get("jobs"), pipe)
    _azure_jobs(doc.get("jobs"), pipe)
    if doc.get("steps"):
        pipe.jobs.append(Job("steps", pipe.line, _azure_steps(doc.get("steps"), pipe.line)))
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
