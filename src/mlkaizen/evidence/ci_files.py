"""Which files are CI pipelines, recognised by content wherever they are in the tree.

A name or folder only points at where a provider must live (GitHub Actions in
``.github/workflows``, GitLab from ``.gitlab-ci.yml``, CircleCI, Bitbucket, Jenkinsfile);
every other YAML file whose text has a telltale key gets a structural check for Azure
Pipelines, Cloud Build, Drone, Buildkite, Tekton and Argo Workflows. References between
files are followed inside the root: GitLab ``include: local``, Azure ``template:`` (two
levels; cycles and paths leaving the root are refused with a warning), local composite
GitHub actions (``uses: ./path``) and local reusable workflows (a job's ``uses:
./.github/workflows/train.yml``, read as the caller's: it runs on the caller's triggers).

Bounded by counts and bytes, all pipelines of a scan together (each limit hit is named in a
warning): at most ``max_ci_files`` files are parsed as CI configuration (pipelines, templates,
included files, actions); templates and composite actions expand to at most ``max_ci_steps``
steps and jobs and ``max_ci_text`` characters of step text (one composite action to at most
``max_expansion_bytes``); a GitLab pipeline follows at most :data:`MAX_GITLAB_INCLUDES`
include entries (GitLab's own limit).
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Callable
from typing import Any

from mlkaizen.evidence.parse.ci import (
    Pipeline,
    Step,
    StepBudget,
    azure_pipelines,
    generic_run_steps,
    github_actions,
    gitlab_ci,
    is_azure_pipeline,
    is_azure_root,
)
from mlkaizen.evidence.parse.ci_more import (
    argo_workflow,
    buildkite,
    cloud_build,
    codebuild,
    drone,
    jenkinsfile,
    tekton,
)
from mlkaizen.evidence.tree import RepoTree

TEMPLATE_LEVELS = 2  # Azure templates: a pipeline's templates, and theirs
MAX_GITLAB_INCLUDES = 150  # include entries one GitLab pipeline follows, as GitLab itself
# Only YAML files with one of these get parsed and checked (Azure / Cloud Build / Buildkite
# keys at the top level, CodeBuild's phases, Drone's kind, Tekton's and Argo's API groups).
_TELLTALE = re.compile(
    r"^(?:stages|jobs|steps|extends|phases)\s*:|^kind:\s*pipeline\b|tekton\.dev/|argoproj\.io/",
    re.M,
)
_AZURE_REF = re.compile(r"\btemplate\s*:\s*['\"]?([^'\"\s#]+)")
_YAML_PARSERS: tuple[Callable[[str, Any], Pipeline | None], ...] = (
    tekton,
    argo_workflow,
    drone,
    cloud_build,
    buildkite,
    codebuild,
)


class CiBudget:
    """What finding the CI pipelines of one tree may cost: CI files parsed, and the steps
    and text templates expand to (see the module's notes); each limit hit is warned once."""

    def __init__(self, tree: RepoTree) -> None:
        self.tree = tree
        self.files_left = tree.limits.max_ci_files
        self.counted: set[str] = set()
        self.steps = StepBudget(tree.limits.max_ci_steps, tree.limits.max_ci_text)
        self.warned: set[str] = set()

    def admit(self, rel: str) -> bool:
        """Whether ``rel`` may be parsed as a CI file (each file counts once)."""
        if rel in self.counted:
            return True
        if self.files_left <= 0:
            self.tree.skipped["max_ci_files"] += 1
            self.limit("max_ci_files", rel, "later CI files are not parsed")
            return False
        self.files_left -= 1
        self.counted.add(rel)
        return True

    def docs(self, rel: str) -> list[Any]:
        """The YAML documents of a CI file, if it may be parsed."""
        return (self.tree.yaml(rel) or []) if self.admit(rel) else []

    def limit(self, name: str, rel: str | None, what: str) -> None:
        if name not in self.warned:
            self.warned.add(name)
            value = getattr(self.tree.limits, name, None)
            shown = f"{value:,}" if isinstance(value, int) else str(value)
            self.tree.warn(f"limit {name}={shown} reached: {what}", rel, kind="limit")

    def finish(self) -> None:
        if self.steps.hit is not None:
            self.tree.skipped[self.steps.hit] += 1
            self.limit(self.steps.hit, None,
                       "CI templates and composite actions were not expanded further")


def find_pipelines(tree: RepoTree) -> list[Pipeline]:
    """Every CI pipeline in the tree, in file order."""
    pipes: list[Pipeline] = []
    handled: set[str] = set()
    budget = CiBudget(tree)
    for rel in tree.files:
        provider = named_provider(rel)
        if provider == "github":
            handled.add(rel)
            pipes += _github(tree, rel, budget)
        elif provider == "gitlab":
            handled.add(rel)
            pipes += _gitlab(tree, rel, handled, budget)
        elif provider in ("circleci", "bitbucket"):
            handled.add(rel)
            pipes += [
                p for doc in budget.docs(rel) if (p := generic_run_steps(provider, rel, doc))
            ]
        elif provider == "jenkins" and budget.admit(rel):
            pipe = jenkinsfile(rel, tree.text(rel) or "")
            if pipe is not None:
                pipes.append(pipe)
    pipes += _by_content(tree, handled, budget)
    budget.finish()
    return pipes


def named_provider(rel: str) -> str | None:
    """The CI provider whose pipeline ``rel`` is by its path alone (``github``, ``gitlab``,
    ``circleci``, ``bitbucket``, ``jenkins``), else ``None``; the other providers are told
    by a file's content. Paths are compared ignoring case."""
    low = rel.lower()
    name = low.rsplit("/", 1)[-1]
    if _github_workflow(low) and low.endswith((".yml", ".yaml")):
        return "github"
    if name in (".gitlab-ci.yml", ".gitlab-ci.yaml"):
        return "gitlab"
    if low in (".circleci/config.yml", ".circleci/config.yaml", "bitbucket-pipelines.yml"):
        return "circleci" if low.startswith(".circleci") else "bitbucket"
    if name == "jenkinsfile" or name.startswith("jenkinsfile.") or name.endswith(".jenkinsfile"):
        return "jenkins"
    return None


def _github_workflow(low: str) -> bool:
    """A GitHub Actions workflow: under the root's ``.github/workflows/``, or under that of a
    project template's folder (``{{cookiecutter.slug}}/.github/workflows/``), which is what
    every project made from the template runs."""
    if low.startswith(".github/workflows/"):
        return True
    head, sep, _ = low.partition("/.github/workflows/")
    return bool(sep) and ("{{" in head or "{%" in head)


def _candidates(tree: RepoTree, handled: set[str], budget: CiBudget) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for rel in tree.with_suffix(".yml", ".yaml"):
        if rel in handled:
            continue
        text = tree.text(rel)
        if not text or not _TELLTALE.search(text):
            continue
        out += [(rel, doc) for doc in budget.docs(rel)]
    return out


def _by_content(tree: RepoTree, handled: set[str], budget: CiBudget) -> list[Pipeline]:
    pipes: list[Pipeline] = []
    azure: list[tuple[str, Any]] = []
    for rel, doc in _candidates(tree, handled, budget):
        for parser in _YAML_PARSERS:
            pipe = parser(rel, doc)
            if pipe is not None:
                pipes.append(pipe)
                break
        else:
            if is_azure_pipeline(doc):
                azure.append((rel, doc))
    referenced = _azure_referenced(tree, azure)
    resolve = _AzureResolver(tree, budget)
    for rel, doc in azure:
        if rel in referenced and not ({"trigger", "pr", "schedules", "resources"} & set(doc)):
            continue  # a template: it counts inside the pipelines that use it
        if not is_azure_root(doc):
            continue  # steps alone, used by no pipeline here: nothing runs them
        pipe = azure_pipelines(rel, doc, resolve, budget.steps)
        if pipe is not None:
            pipes.append(pipe)
    return sorted(pipes, key=lambda p: (p.file, p.line))


def _normalise(current: str, ref: str) -> str | None:
    """A template reference as a root-relative path, or ``None`` if it leaves the root."""
    base = "" if ref.startswith("/") else posixpath.dirname(current)
    target = posixpath.normpath(posixpath.join(base, ref.lstrip("/")))
    return None if target == ".." or target.startswith("../") or target.startswith("/") else target


def _azure_referenced(tree: RepoTree, azure: list[tuple[str, Any]]) -> set[str]:
    """Files named by a ``template:`` in another Azure file (textual, no parse needed)."""
    out: set[str] = set()
    for rel in {rel for rel, _ in azure}:
        for match in _AZURE_REF.finditer(tree.text(rel) or ""):
            target = _normalise(rel, match.group(1))
            if target is not None and target != rel:
                out.add(target)
    return out


class _AzureResolver:
    """Loads an Azure template inside the root, refusing (with one warning each) cycles and
    paths that leave the root; remote (``file@repo``) and computed paths are not followed."""

    def __init__(self, tree: RepoTree, budget: CiBudget) -> None:
        self.tree = tree
        self.budget = budget
        self.warned: set[tuple[str, str]] = set()

    def _warn(self, current: str, ref: str, why: str) -> None:
        if (current, ref) not in self.warned:
            self.warned.add((current, ref))
            self.tree.warn(
                f"Azure Pipelines template {ref!r} {why}; not followed", current, kind="ci"
            )

    def __call__(self, current: str, ref: str, chain: tuple[str, ...]) -> tuple[str, Any] | None:
        ref = ref.strip()
        if "@" in ref or "$" in ref or not ref:
            return None
        target = _normalise(current, ref)
        if target is None:
            self._warn(current, ref, "points outside the repository")
            return None
        if target in chain:
            self._warn(current, ref, "refers back to a file that includes it (a cycle)")
            return None
        if len(chain) > TEMPLATE_LEVELS or target not in self.tree.sizes:
            return None
        docs = self.budget.docs(target)
        return (target, docs[0]) if docs and isinstance(docs[0], dict) else None


def _github(tree: RepoTree, rel: str, budget: CiBudget) -> list[Pipeline]:
    out: list[Pipeline] = []
    for doc in budget.docs(rel):
        pipe = github_actions(rel, doc)
        if pipe is None:
            continue
        for job in pipe.jobs:
            job.steps = [_composite(tree, step, budget) for step in job.steps]
        out.append(pipe)
    return out


def _composite(tree: RepoTree, step: Step, budget: CiBudget, depth: int = 2) -> Step:
    """A ``uses: ./path`` step with the ``run`` commands of the local composite action
    (each use counted against the scan's step budget, text included)."""
    if not step.uses.startswith("./") or depth <= 0 or budget.steps.spent:
        return step
    runs = tree.memo(
        f"composite:{depth}:{step.uses}", lambda: _action_runs(tree, step, budget, depth)
    )
    if runs is None:
        return step
    cap = tree.limits.max_expansion_bytes
    if len(runs) > cap:
        tree.skipped["max_expansion_bytes"] += 1
        budget.limit("max_expansion_bytes", step.file or None,
                     f"a composite action of {len(runs):,} characters is not expanded")
        return step
    if not budget.steps.take(len(runs) + len(step.run)):
        return step
    # what the action or workflow does is its commands now, not its path (a workflow named
    # ``train-model.yml`` that only lints trains nothing)
    return Step("\n".join([step.run, runs]), "", step.line, step.name, step.file)


def _action_runs(tree: RepoTree, step: Step, budget: CiBudget, depth: int) -> str | None:
    """The commands of a local composite action, or of every job of a local reusable
    workflow (a job's ``uses: ./.github/workflows/train.yml``: the called workflow runs
    when, and because, its caller does); computed once per action and depth."""
    folder = _normalise("", step.uses.removeprefix("./").split("@")[0])
    if folder is None:
        return None
    if folder.startswith(".github/workflows/") and folder.endswith((".yml", ".yaml")):
        return _workflow_runs(tree, folder, budget, depth) if folder in tree.sizes else None
    for name in ("action.yml", "action.yaml"):
        action = f"{folder}/{name}"
        if action not in tree.sizes:
            continue
        steps: list[Step] = []
        for doc in budget.docs(action):
            spec = doc.get("runs") if isinstance(doc, dict) else None
            for inner in spec.get("steps", []) if isinstance(spec, dict) else []:
                if isinstance(inner, dict):
                    steps.append(Step(str(inner.get("run", "")), str(inner.get("uses", "")), 1))
        return _expanded(tree, steps, budget, depth)
    return None


def _workflow_runs(tree: RepoTree, rel: str, budget: CiBudget, depth: int) -> str:
    """The commands of every step of the reusable workflow ``rel``."""
    pipes = (github_actions(rel, doc) for doc in budget.docs(rel))
    return _expanded(
        tree, [s for pipe in pipes if pipe for job in pipe.jobs for s in job.steps], budget, depth
    )


def _expanded(tree: RepoTree, steps: list[Step], budget: CiBudget, depth: int) -> str:
    """The commands of ``steps``, their own composite actions and reusable workflows
    expanded one level less deep, while the scan's step budget lasts."""
    runs: list[str] = []
    for inner in steps:
        if budget.steps.spent:
            break
        sub = _composite(tree, inner, budget, depth - 1)
        runs.append(f"{sub.uses}\n{sub.run}")
    return "\n".join(runs)


def _gitlab(tree: RepoTree, rel: str, handled: set[str], budget: CiBudget) -> list[Pipeline]:
    out: list[Pipeline] = []
    for doc in budget.docs(rel):
        pipe = gitlab_ci(rel, doc)
        included = _gitlab_includes(tree, rel, doc, handled, budget, [MAX_GITLAB_INCLUDES])
        if pipe is None and not included:
            continue
        pipe = pipe or Pipeline("gitlab-ci", rel, getattr(doc, "line", 1), triggers={"push"})
        for inc, inc_doc in included:
            extra = gitlab_ci(inc, inc_doc)
            for job in extra.jobs if extra else []:
                job.file = inc
                pipe.jobs.append(job)
        if any(j.scheduled for j in pipe.jobs):
            pipe.triggers.add("schedule")
        out.append(pipe)
    return out


def _gitlab_includes(  # noqa: PLR0917 - one recursive private helper
    tree: RepoTree,
    rel: str,
    doc: Any,
    handled: set[str],
    budget: CiBudget,
    left: list[int],
    depth: int = 2,
) -> list[tuple[str, Any]]:
    """Documents of ``include:`` local files (wildcards too), followed ``depth`` levels; at
    most ``left[0]`` entries over the whole pipeline (the rest are warned about once)."""
    if not isinstance(doc, dict) or depth <= 0:
        return []
    raw = doc.get("include")
    entries = raw if isinstance(raw, list) else [raw]
    out: list[tuple[str, Any]] = []
    for entry in entries:
        local = _local(entry)
        if local is None:
            continue
        if left[0] <= 0:
            tree.skipped["gitlab_includes"] += 1
            tree.warn(
                f"limit max_gitlab_includes={MAX_GITLAB_INCLUDES} reached: later include "
                "entries of this pipeline are not followed (GitLab's own limit)",
                rel,
                kind="limit",
            )
            break
        left[0] -= 1
        pattern = _normalise("", local)
        if pattern is None:
            tree.warn(
                f"GitLab include {local!r} points outside the repository; not followed",
                rel,
                kind="ci",
            )
            continue
        for target in _included(tree, pattern):
            if target in handled or target == rel:
                continue
            handled.add(target)
            for inc_doc in budget.docs(target):
                out.append((target, inc_doc))
                out += _gitlab_includes(tree, target, inc_doc, handled, budget, left, depth - 1)
    return out


def _local(entry: Any) -> str | None:
    """The path of a GitLab ``include:`` entry that names a file of the repository (``local:``
    or a plain string), or ``None`` (a remote, a project, a template)."""
    local = entry.get("local") if isinstance(entry, dict) else entry
    return local if isinstance(local, str) and "://" not in local else None


def gitlab_included_files(tree: RepoTree, rel: str) -> list[str]:
    """The files of the repository that the GitLab pipeline ``rel`` includes itself (wildcards
    expanded, nothing followed further, none outside the root)."""
    docs = tree.yaml(rel) if rel in tree.sizes else None
    doc = docs[0] if docs else None
    raw = doc.get("include") if isinstance(doc, dict) else None
    out: list[str] = []
    for entry in raw if isinstance(raw, list) else [raw]:
        local = _local(entry)
        pattern = _normalise("", local) if local is not None else None
        if pattern is not None:
            out += [f for f in _included(tree, pattern) if f != rel]
    return out


def _included(tree: RepoTree, pattern: str) -> list[str]:
    """The files a GitLab ``include: local`` pattern names: the file itself when it has no
    wildcard (a lookup), else the files matching it (one compiled pattern)."""
    if not any(c in pattern for c in "*?["):
        return [pattern] if pattern in tree.sizes else []
    match = re.compile(fnmatch.translate(pattern)).match
    head = pattern[: min(i for i in (pattern.find(c) for c in "*?[") if i >= 0)]
    return [f for f in tree.files if f.startswith(head) and match(f)]
