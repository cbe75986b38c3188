"""Shared, memoised views over many files: every YAML document, every CI pipeline.

Mechanism only; the detectors that use these decide what a document means.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from mlkaizen.evidence.ci_files import find_pipelines
from mlkaizen.evidence.detectors.task_runners import task_targets, tasks_named
from mlkaizen.evidence.parse.ci import Pipeline
from mlkaizen.evidence.parse.makefile import parse_makefile
from mlkaizen.evidence.tree import RepoTree

CI_FILES = (".github/workflows/*.yml", ".github/workflows/*.yaml")


def yaml_documents(tree: RepoTree) -> list[tuple[str, Any]]:
    """(file, document) for every YAML file in the tree, parsed once."""

    def compute() -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        for rel in tree.with_suffix(".yml", ".yaml"):
            docs = tree.yaml(rel)
            for doc in docs or []:
                out.append((rel, doc))
        return out

    return tree.memo("yaml_documents", compute)


def k8s_objects(tree: RepoTree) -> list[tuple[str, dict[str, Any]]]:
    """YAML documents shaped like Kubernetes objects (``apiVersion`` + ``kind``)."""
    return [
        (rel, doc)
        for rel, doc in yaml_documents(tree)
        if isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc
    ]


def ci_pipelines(tree: RepoTree) -> list[Pipeline]:
    """Every CI pipeline, recognised by content (see :mod:`mlkaizen.evidence.ci_files`), at
    most ``max_ci_files`` pipelines and ``max_ci_jobs`` jobs (a warning names each cap)."""

    def compute() -> list[Pipeline]:
        pipes = find_pipelines(tree)
        cap = tree.limits.max_ci_files
        if len(pipes) > cap:
            tree.skipped["max_ci_files"] += len(pipes) - cap
            tree.warn(
                f"limit max_ci_files={cap:,} reached: {len(pipes) - cap:,} CI pipelines not "
                "considered",
                kind="limit",
            )
            pipes = pipes[:cap]
        return _cap_jobs(tree, pipes)

    return tree.memo("ci_pipelines", compute)


def _cap_jobs(tree: RepoTree, pipes: list[Pipeline]) -> list[Pipeline]:
    """At most ``max_ci_jobs`` jobs over all pipelines (a warning names the cap)."""
    left, dropped = tree.limits.max_ci_jobs, 0
    for pipe in pipes:
        if len(pipe.jobs) > left:
            dropped += len(pipe.jobs) - left
            pipe.jobs = pipe.jobs[:left]
        left -= len(pipe.jobs)
    if dropped:
        tree.skipped["max_ci_jobs"] += dropped
        tree.warn(
            f"limit max_ci_jobs={tree.limits.max_ci_jobs:,} reached: {dropped:,} CI jobs "
            "not considered",
            kind="limit",
        )
    return pipes


def make_targets(tree: RepoTree) -> dict[str, str]:
    """Recipe text of every Makefile / justfile target at the top of the tree (by name), and
    of the task runners' tasks there (:mod:`mlkaizen.evidence.parse.tasks`), each by its
    runner and name (``npm:deploy``, ``poe:train``, ``tox:lint``): a task of one runner is
    never another's."""

    def compute() -> dict[str, str]:
        targets: dict[str, str] = {}
        for rel in tree.named("Makefile", "makefile", "GNUmakefile", "justfile"):
            if rel.count("/") > 1:
                continue
            text = tree.text(rel)
            if text:
                for name, (_, body) in parse_makefile(text).items():
                    targets.setdefault(name, body)
        for key, body in task_targets(tree).items():
            targets.setdefault(key, body)
        return targets

    return tree.memo("make_targets", compute)


def expand_make(tree: RepoTree, command: str, depth: int = 2, *, cwd: str = "") -> str:
    """``command`` plus what it runs inside the repository: the recipes of ``make X`` /
    ``just X`` targets, and the text of shell scripts and job YAML files it names, followed
    ``depth`` levels (a CI step ``bash ci/train.sh`` is judged by what ``train.sh`` runs).
    What the command tells a tool to skip (``--exclude PATH``, ``--ignore=PATH``) is dropped.

    Bounded: each target or file is added once, one command expands to at most
    ``max_expansion_bytes`` and all commands of a scan to ``max_expansion_total`` (a warning
    names the cap); the result is memoised per command. A file named by a path relative to
    the folder the command runs in (``cwd``: a step's ``working-directory``) or changes to
    (``cd training && bash run.sh``) is found there.
    """
    cache: dict[tuple[str, int, str], str] = tree.memo("expand_make", dict)
    key = (command, depth, cwd)
    if key not in cache:
        cache[key] = _EXCLUDED.sub(" ", _expand(tree, command, depth, cwd))
    return cache[key]


# what a tool is told to skip (``ruff check . --exclude "llm-finetuning/"``,
# ``pytest --ignore=tests/train``) is not what the step does
_EXCLUDED = re.compile(
    r"--(?:exclude|extend-exclude|ignore|ignore-glob|skip|omit|deselect)(?:=|\s+)"
    r"(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s;&|]+)"
)


def _expand(tree: RepoTree, command: str, depth: int, cwd: str) -> str:
    total: list[int] = tree.memo("expand_make_total", lambda: [0])
    if total[0] >= tree.limits.max_expansion_total:
        _expansion_cap(tree, "max_expansion_total", tree.limits.max_expansion_total)
        return command
    work = _Expansion(tree, tree.limits.max_expansion_bytes, cwd)
    work.collect(command, depth)
    total[0] += tree.limits.max_expansion_bytes - work.room
    return command + "\n" + "\n".join(work.extra) if work.extra else command


class _Expansion:
    """The texts one command pulls in, each once, within a byte budget."""

    def __init__(self, tree: RepoTree, room: int, cwd: str = "") -> None:
        self.tree, self.room, self.cwd = tree, room, cwd
        self.seen: set[str] = set()
        self.extra: list[str] = []

    def add(self, ref: str, text: str) -> bool:
        """Add ``text`` once; ``False`` when the budget is exhausted (stop expanding)."""
        if ref in self.seen or not text:
            return True
        if len(text) > self.room:
            _expansion_cap(self.tree, "max_expansion_bytes", self.tree.limits.max_expansion_bytes)
            return False
        self.seen.add(ref)
        self.room -= len(text)
        self.extra.append(text)
        return True

    def collect(self, command: str, depth: int) -> bool:
        targets = make_targets(self.tree)
        for word_run in ("make ", "just "):
            for piece in command.split(word_run)[1:]:
                for name in piece.split()[:3]:
                    if name not in targets:
                        continue
                    if not self.add("target:" + name, targets[name]):
                        return False
                    # one level of prerequisites, which hold the real work in many Makefiles
                    first = targets[name].splitlines()[0] if targets[name] else ""
                    for dep in first.split():
                        if not self.add("target:" + dep, targets.get(dep, "")):
                            return False
        for key in tasks_named(command):
            body = targets.get(key)
            if body is None or "target:" + key in self.seen:
                continue
            if not self.add("target:" + key, body):
                return False
            # a task's commands may run other tasks and scripts: followed as a script's are
            if depth > 1 and not self.collect(body, depth - 1):
                return False
        runnable = _NAMED_ONLY.sub(" ", command.replace("\\\n", " "))
        for match in _SCRIPT_REF.finditer(runnable):
            rel = in_folder(self.tree, match.group(1), runnable, match.start(), self.cwd)
            if (
                rel is None
                or "file:" + rel in self.seen
                or rel.startswith(".github/workflows/")
                or _environment_spec(self.tree, rel)
            ):
                continue
            text = self.tree.text(rel) or ""
            if not self.add("file:" + rel, text):
                return False
            if depth > 1 and not self.collect(text, depth - 1):
                return False
        return True


# a command that changes folder (``cd training``, ``pushd src``): later relative paths start there
_CD = re.compile(r"(?m)(?:^|&&|;|\|\|)\s*(?:cd|pushd)\s+([\w./-]+)")


# how a CI service names the checkout's root in a working directory
_WORKSPACE = re.compile(
    r"^(?:\$\{\{\s*github\.workspace\s*\}\}|\$\{?GITHUB_WORKSPACE\}?"
    r"|\$\((?:System\.DefaultWorkingDirectory|Build\.SourcesDirectory)\)|\$CI_PROJECT_DIR)/?"
)


def step_folder(tree: RepoTree, cwd: str) -> str:
    """The folder a step runs in, as a path of ``tree`` (``""``: its root): the checkout's
    root variable dropped (``${{ github.workspace }}/training``), and a sub-project's prefix
    (a step of ``ml/training`` seen from the project ``ml`` runs in ``training``)."""
    folder = _WORKSPACE.sub("", cwd.strip()).strip("/").removeprefix("./")
    folder = posixpath.normpath(folder) if folder else ""
    prefix = getattr(tree, "prefix", "")
    if prefix and f"{folder}/".startswith(prefix):
        folder = folder[len(prefix) :]
    return "" if folder == "." else folder


def in_folder(tree: RepoTree, path: str, command: str, at: int, cwd: str = "") -> str | None:
    """The repository file that ``path``, named at ``at`` in ``command``, is: from the folder
    the command changed to before it (``cd training && bash run.sh``) within the one it runs
    in (``cwd``), from ``cwd``, else as written; ``None`` when the repository holds none."""
    rel = path.removeprefix("./")
    folder = step_folder(tree, cwd) if cwd else ""
    moved = [m.group(1) for m in _CD.finditer(command, 0, at)]
    for base in ([posixpath.join(folder, moved[-1])] if moved else []) + [folder]:
        if base:
            joined = posixpath.normpath(posixpath.join(base.removeprefix("./"), rel))
            if joined in tree.sizes:
                return joined
    return rel if rel in tree.sizes else None


CONDA_NAMES = ("environment.yml", "environment.yaml", "conda.yaml", "conda.yml")


def conda_specs(tree: RepoTree) -> list[tuple[str, dict[str, Any]]]:
    """Conda environment files (:func:`is_conda_spec`)."""
    return [(rel, doc) for rel, doc in yaml_documents(tree) if is_conda_spec(rel, doc)]


def is_conda_spec(rel: str, doc: Any) -> bool:
    """A conda environment document: a ``dependencies`` list, in a file with a conda name or
    with a ``name`` or ``channels`` (``env.yml``, ``ci_dependencies.yml``)."""
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("dependencies"), list)
        and (rel.rsplit("/", 1)[-1].lower() in CONDA_NAMES or "channels" in doc or "name" in doc)
    )


def _environment_spec(tree: RepoTree, rel: str) -> bool:
    """A conda environment file: a step that installs it runs none of the tools it lists."""
    if not rel.endswith((".yml", ".yaml")):
        return False
    return any(is_conda_spec(rel, doc) for doc in tree.yaml(rel) or [])


def _expansion_cap(tree: RepoTree, name: str, value: int) -> None:
    tree.skipped[name] += 1
    if tree.skipped[name] == 1:
        tree.warn(
            f"limit {name}={value:,} reached: CI steps are judged without the rest of the "
            "scripts and Makefile targets they call",
            kind="limit",
        )


# where a command names a file without running it: a CI expression (a cache key's
# ``${{ hashFiles('.pre-commit-config.yaml') }}``); a command that reads, lints, copies,
# hashes, publishes or renders the files it is given (``git add k8s/configmap.yaml``, ``yq
# eval ... values.yaml``, ``uv run cfn-lint --template stack.yaml``, ``mkdocs gh-deploy
# --config-file docs/mkdocs.yaml``, ``helm upgrade -f values.yaml``); a YAML file alone on a
# line (an action's input: a YAML file is not a command); a line that is one quoted or
# globbed item of a list of paths (a path filter's ``- 'k8s/deployment.yaml'``, ``- src/**``)
_NAMED_ONLY = re.compile(
    r"(?m)\$\{\{[^$}\n]*\}\}"
    r"|(?:^|&&|;|\|\||\|)\s*(?:sudo\s+)?(?:(?:uv|poetry|pipenv|pdm)\s+run\s+(?:--?\w[\w-]*\s+)*|npx\s+)?"
    r"(?:git|yq|jq|cat|head|tail|grep|sed|awk|cp|mv|rm|ls|echo|printf|yamllint|check-jsonschema"
    r"|chmod|touch|wc|mkdocs|cfn-lint|cfn_nag\w*|kubeval|kubeconform|helm)(?![\w.-])[^\n;&|]*"
    r"|^\s*\.?/?[\w./-]+\.ya?ml\s*$"
    r"|^\s*-\s+(?:'[^\s']+'|\"[^\s\"]+\"|[^\s*]*\*\S*)\s*$"
)
_SCRIPT_REF = re.compile(r"(?<![\w/.-])((?:\./)?[\w./-]+\.(?:sh|bash|ya?ml))\b")
