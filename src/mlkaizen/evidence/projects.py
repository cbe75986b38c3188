"""Sub-projects: the independent ML projects one repository may hold (a monorepo of
services, a course with modules, an examples collection).

A folder is a sub-project when it declares a project of its own (a manifest: dependencies,
a pipeline, a container, an MLproject...) and holds code that does ML. Only the outermost
such folders count, the repository root never does, and a repository needs at least two to
be called a collection, with most of its ML code in them (else a few such folders are parts
of one system). Recognition reads names and imports only; each sub-project is then
assessed on its own evidence.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlkaizen.evidence.ci_files import gitlab_included_files
from mlkaizen.evidence.detectors.libraries import TRAINING
from mlkaizen.evidence.findings import Context
from mlkaizen.evidence.parse.structured import load_toml
from mlkaizen.evidence.parse.yamlfile import as_dict, as_list
from mlkaizen.evidence.project_drivers import driven_groups
from mlkaizen.evidence.tree import RepoTree
from mlkaizen.textfmt import counted

MANIFESTS = (
    "pyproject.toml",
    "setup.py",
    "requirements.txt",
    "environment.yml",
    "environment.yaml",
    "conda.yaml",
    "Pipfile",
    "MLproject",
    "dvc.yaml",
    "databricks.yml",
    "Dockerfile",
)
MAX_SUB_PROJECTS = 100
# folders whose sub-folders are the components (steps) of one pipeline, not projects
COMPONENT_FOLDERS = frozenset(
    {"components", "component", "pipeline_components", "pipeline-components", "steps"}
)
# folders named for one step of a model's life: side by side, small, they are the steps of
# one system (``code/train`` and ``code/deploy``, each with its environment file)
STEP_FOLDERS = frozenset({
    "train", "training", "trainer", "deploy", "deployment", "score", "scoring", "serve",
    "serving", "inference", "predict", "prediction", "evaluate", "evaluation", "preprocess",
    "preprocessing", "prepare", "register", "registration", "monitor", "monitoring", "retrain",
    "validate", "validation", "ingest", "ingestion", "etl", "batch_inference", "batch_scoring",
})
STEP_FILES = 3  # at most this many ML files in each step folder
# files at the repository root that set how every sub-project is worked on
SHARED_NAMES = frozenset({"CODEOWNERS", "CONTRIBUTING.md", "Makefile"})


@dataclass(frozen=True)
class SubProjectRef:
    path: str
    manifests: tuple[str, ...]
    ml_files: int

    @property
    def how(self) -> str:
        return f"declares {', '.join(self.manifests)}; {counted(self.ml_files, 'file')} doing ML"


def find_sub_projects(tree: RepoTree) -> list[SubProjectRef]:
    """The outermost folders that declare a project and do ML; empty unless there are two,
    or when a few of them sit beside as much ML code outside them (:func:`_mostly_outside`)."""
    manifests: dict[str, list[str]] = {}
    for rel in tree.named(*MANIFESTS):
        folder, _, name = rel.rpartition("/")
        if folder and tree.context(rel) is not Context.TEST:
            manifests.setdefault(folder, []).append(name)
    if len(manifests) < 2:
        return []
    # the ML files below each folder, counted once a file and folder above it (a tree of
    # many projects costs its size, not the square of it)
    below: Counter[str] = Counter()
    ml_files = list(tree.importing(TRAINING))
    for f in ml_files:
        below.update(_folders_above(f))
    refs: list[SubProjectRef] = []
    found: set[str] = set()
    for folder in sorted(manifests):
        if any(up in found for up in _folders_above(folder)):
            continue  # inside a sub-project already found (sorted: parents come first)
        inside = below[folder]
        if inside:
            refs.append(SubProjectRef(folder, tuple(sorted(set(manifests[folder]))), inside))
            found.add(folder)
    refs = _outermost(_join_components(_bundles_out(tree, _members_out(tree, refs))))
    refs = _outermost(_join_steps(refs))
    refs = _outermost(_join_coupled(tree, refs))
    refs = _outermost(_join_driven(tree, refs))
    if len(refs) < 2 or _mostly_outside(tree, ml_files, refs):
        return []
    if len(refs) > MAX_SUB_PROJECTS:
        tree.warn(
            f"{len(refs)} sub-projects found; only the first {MAX_SUB_PROJECTS} are assessed",
            kind="limit",
        )
        refs = refs[:MAX_SUB_PROJECTS]
    return refs


PARTS_OF_ONE_SYSTEM = 3  # at most this many sub-projects may be parts of the code around them


def _mostly_outside(tree: RepoTree, ml_files: list[str], refs: list[SubProjectRef]) -> bool:
    """Whether a few sub-projects (:data:`PARTS_OF_ONE_SYSTEM` at most), or more that the
    code around them uses every one of (:func:`_all_used`), sit beside as much of the
    repository's own ML code outside them (tests and examples aside): then they are parts of
    one system (an app, a serving image beside the pipelines and training code that make the
    model), not a collection, and the repository is one project. Other sub-projects are a
    collection whatever lies around them (a course's modules beside its homework)."""
    inside = tuple(r.path + "/" for r in refs)
    outside = [
        f for f in ml_files if not f.startswith(inside) and tree.context(f) is Context.PROJECT
    ]
    if len(outside) < sum(r.ml_files for r in refs):
        return False
    return len(refs) <= PARTS_OF_ONE_SYSTEM or _all_used(tree, refs, outside)


def _all_used(tree: RepoTree, refs: list[SubProjectRef], outside: list[str]) -> bool:
    """Whether the code outside the folders uses every one of them: its ML code imports a
    module of it (``from src.ranking import model`` in a notebook), or a file outside runs
    it by its path with another of them (a driver, :func:`driven_groups`). Then the folders
    are the parts that code puts together (the notebooks of one recommender build its
    towers' images and run them), however many; a course's modules beside homework that
    uses none of them stay a collection."""
    index = _module_index(tree)
    paths = [r.path for r in refs]
    at = {path: i for i, path in enumerate(paths)}
    used = {i for members, _ in driven_groups(tree, paths) for i in members}
    for rel in outside:
        facts = tree.python(rel)
        for name in facts.imports if facts is not None else ():
            target = index.get(name) or index.get(name.rpartition(".")[0])
            # the folder it lies in, walked up (projects do not nest): its depth, not their count
            folders = _folders_above(target) if target else []
            used.update(at[f] for f in folders if f in at)
        if len(used) == len(refs):
            return True
    return False


def _folders_above(rel: str) -> list[str]:
    """The folders ``rel`` lies in, nearest first (``a/b/c`` -> ``a/b``, ``a``)."""
    out = []
    folder = posixpath.dirname(rel)
    while folder:
        out.append(folder)
        folder = posixpath.dirname(folder)
    return out


def _outermost(refs: list[SubProjectRef]) -> list[SubProjectRef]:
    """Each project once, outermost: one at a folder another holds (or at the same folder)
    is merged into it, its manifests and ML files counted there."""
    out: list[SubProjectRef] = []
    at: dict[str, int] = {}  # a project kept -> its place in ``out``
    for ref in sorted(refs, key=lambda r: (r.path.count("/"), r.path)):  # parents first
        owner = next(
            (at[up] for up in (ref.path, *_folders_above(ref.path)) if up in at), None
        )
        if owner is None:
            at[ref.path] = len(out)
            out.append(ref)
            continue
        o = out[owner]
        manifests = tuple(sorted({*o.manifests, *ref.manifests}))
        out[owner] = SubProjectRef(o.path, manifests, o.ml_files + ref.ml_files)
    return sorted(out, key=lambda r: r.path)


def _module_index(tree: RepoTree) -> dict[str, str]:
    """Dotted module names of two or more parts (``helpers.s3``, ``src.helpers.s3``) -> the
    Python file that defines them, for every way the file can be imported from a folder of
    its path; a name two files could be is left out. Built once a scan (the coupled
    projects and the projects used from outside both read it)."""

    def compute() -> dict[str, str]:
        index: dict[str, str] = {}
        ambiguous: set[str] = set()
        for rel in tree.with_suffix(".py"):
            parts = rel.removesuffix(".py").removesuffix("/__init__").split("/")
            for start in range(len(parts) - 1):
                name = ".".join(parts[start:])
                if name in index and index[name] != rel:
                    ambiguous.add(name)
                index[name] = rel
        return {k: v for k, v in index.items() if k not in ambiguous}

    return tree.memo("module_index", compute)


def _join_coupled(tree: RepoTree, refs: list[SubProjectRef]) -> list[SubProjectRef]:
    """Projects whose code imports another's, or that share code of the repository outside
    every project (both ``from helpers.s3 import ...``), are parts of one system: each such
    group becomes one project, the folder that holds its members; a group whose members have
    only the root in common means the repository is one project."""
    if len(refs) < 2:
        return refs
    index = _module_index(tree)
    owner_of = {r.path: i for i, r in enumerate(refs)}
    group = list(range(len(refs)))

    def find(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    def owner(rel: str) -> int | None:  # the project a file is in (projects do not overlap)
        folder = posixpath.dirname(rel)
        while folder and folder not in owner_of:
            folder = posixpath.dirname(folder)
        return owner_of.get(folder) if folder else None

    files: dict[int, list[str]] = {}
    for rel in tree.with_suffix(".py"):  # one pass: each file to its project
        at = owner(rel)
        if at is not None:
            files.setdefault(at, []).append(rel)
    shared: dict[str, int] = {}  # a folder of code outside every project -> a project using it
    for i, ref in enumerate(refs):
        own = files.get(i, [])
        # a name the project defines anywhere inside is its own (``from steps import x``)
        local = {
            part.removesuffix(".py")
            for rel in own
            for part in rel[len(ref.path) + 1 :].split("/")
        }
        for rel in own:
            facts = tree.python(rel)
            for name in facts.imports if facts is not None else ():
                if name.split(".", 1)[0] in local:
                    continue
                target = index.get(name) or index.get(name.rpartition(".")[0])
                if target is None or target.startswith(ref.path + "/"):
                    continue
                other = owner(target)
                if other is None and tree.context(target) is Context.PROJECT:
                    folder = posixpath.dirname(target)
                    other = shared.setdefault(folder, i)  # two users of it: one system
                if other is not None:
                    group[find(i)] = find(other)
    members: dict[int, list[SubProjectRef]] = {}
    for i, ref in enumerate(refs):
        members.setdefault(find(i), []).append(ref)
    out: list[SubProjectRef] = []
    for grouped in members.values():
        if len(grouped) == 1:
            out.append(grouped[0])
            continue
        common = posixpath.commonpath([r.path for r in grouped])
        if not common:
            return []  # the group spans the repository: it is one project
        out.append(_merged(common, grouped))
    return sorted(out, key=lambda r: r.path)


def _join_driven(tree: RepoTree, refs: list[SubProjectRef]) -> list[SubProjectRef]:
    """Projects that one driver outside them names (:func:`driven_groups`: a notebook that
    builds one's image and runs another as its estimator's code) are parts of one system:
    each such group becomes one project, the folder holding it and its drivers, or it alone
    when that would take in a project no driver names (which stays as it is). A group that
    holds every project and spans the root makes the repository one project."""
    if len(refs) < 2:
        return refs
    groups = driven_groups(tree, [r.path for r in refs])
    if not groups:
        return refs
    owner = list(range(len(refs)))

    def find(i: int) -> int:
        while owner[i] != i:
            i = owner[i]
        return i

    drivers: dict[int, list[str]] = {}
    for members, driver_folder in groups:
        for i in members[1:]:
            a, b = find(members[0]), find(i)
            if a != b:
                owner[b] = a
        drivers.setdefault(members[0], []).append(driver_folder)
    heads: dict[int, list[int]] = {}
    for i in range(len(refs)):
        heads.setdefault(find(i), []).append(i)
    out: list[SubProjectRef] = []
    joined: set[int] = set()
    for members in heads.values():
        if len(members) < 2:
            continue
        inside = set(members)
        others = [r.path for i, r in enumerate(refs) if i not in inside]
        paths = [refs[i].path for i in members]
        folders = [f for i in members for f in drivers.get(i, [])]
        for common in (posixpath.commonpath(paths + folders), posixpath.commonpath(paths)):
            if not common and not others:
                return []  # every project is a part of one system: the repository is one
            if common and not any(o == common or o.startswith(common + "/") for o in others):
                grouped = [refs[i] for i in members]
                out.append(_merged(common, grouped))
                joined.update(members)
                break
    out += [r for i, r in enumerate(refs) if i not in joined]
    return sorted(out, key=lambda r: r.path)


def _merged(path: str, members: list[SubProjectRef]) -> SubProjectRef:
    """One project at ``path`` made of ``members``: their manifests and ML files together."""
    manifests = tuple(sorted({m for r in members for m in r.manifests}))
    return SubProjectRef(path, manifests, sum(r.ml_files for r in members))


def _members_out(tree: RepoTree, refs: list[SubProjectRef]) -> list[SubProjectRef]:
    """Folders the root ``pyproject.toml`` makes members of one uv workspace (``[tool.uv.
    workspace] members = ["packages/*"]``: one lock file, one environment) are parts of the
    project the root declares, not projects of their own."""
    if "pyproject.toml" not in tree.sizes:
        return refs
    doc = tree.parsed("pyproject.toml", "toml", load_toml) or {}
    workspace = as_dict(as_dict(as_dict(doc.get("tool")).get("uv")).get("workspace"))
    members = [str(m).strip("/") for m in as_list(workspace.get("members"))]
    excluded = [str(m).strip("/") for m in as_list(workspace.get("exclude"))]

    def member(path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, m) for m in members) and not any(
            fnmatch.fnmatchcase(path, m) for m in excluded
        )

    return [r for r in refs if not member(r.path)]


BUNDLE_FILES = 2  # a requirements file and this many ML files at most: an entry point's bundle


def _bundles_out(tree: RepoTree, refs: list[SubProjectRef]) -> list[SubProjectRef]:
    """Folders that declare nothing but a ``requirements.txt`` for one or two ML files (a
    ``train.py`` and an ``inference.py``) are the entry points a project packages for a
    platform (a SageMaker estimator's ``source_dir``, a function's package), not projects of
    their own, in a repository whose root declares the project they belong to."""
    if not any(name in tree.sizes for name in MANIFESTS):
        return refs
    bundle = ("requirements.txt",)
    return [r for r in refs if not (r.manifests == bundle and r.ml_files <= BUNDLE_FILES)]


def _join_steps(refs: list[SubProjectRef]) -> list[SubProjectRef]:
    """The steps of one system are one project: two or more small folders side by side, each
    named for a step of a model's life (``train``, ``deploy``, ``score``: :data:`STEP_FOLDERS`)
    and holding at most :data:`STEP_FILES` ML files, become their parent folder. At the root
    such folders stay as they are unless something drives them together
    (:func:`_join_driven`): the repository's own layout, not a folder of it, says more."""
    groups: dict[str, list[SubProjectRef]] = {}
    for ref in refs:
        groups.setdefault(ref.path.rpartition("/")[0], []).append(ref)
    out = list(refs)
    for parent, members in groups.items():
        if not parent:
            continue
        steps = [
            r for r in members
            if r.path.rpartition("/")[2].lower().replace("-", "_") in STEP_FOLDERS
            and r.ml_files <= STEP_FILES
        ]
        if len(steps) < 2 or len(steps) < len(members) or any(
            r.path.startswith(parent + "/") and r not in steps for r in refs
        ):
            continue  # a step beside projects of other kinds, at any depth, stays as it is
        out = [r for r in out if r not in steps]
        out.append(_merged(parent, steps))
    return sorted(out, key=lambda r: r.path)


def _join_components(refs: list[SubProjectRef]) -> list[SubProjectRef]:
    """The components of one pipeline are one project: folders that sit side by side in a
    folder named for components (``pipeline/components/train``, ``.../evaluate``, each with
    its Dockerfile, as Kubeflow, TFX, Argo and SageMaker projects lay them out) become one
    project, the folder holding that components folder (none when that is the root)."""
    groups: dict[str, list[SubProjectRef]] = {}
    for ref in refs:
        parent, _, _ = ref.path.rpartition("/")
        if parent.rpartition("/")[2].lower() in COMPONENT_FOLDERS:
            groups.setdefault(parent, []).append(ref)
    out = [r for r in refs if r.path.rpartition("/")[0] not in groups]
    for parent, members in groups.items():
        owner = parent.rpartition("/")[0]
        if not owner or any(owner == r.path or owner.startswith(r.path + "/") for r in out):
            continue  # the repository itself, or a project already found
        out = [r for r in out if not r.path.startswith(owner + "/")]
        out.append(_merged(owner, members))
    return sorted(out, key=lambda r: r.path)


def shared_files(tree: RepoTree, refs: list[SubProjectRef]) -> list[str]:
    """The repository's own settings that apply to each of its sub-projects: files under a
    hidden folder at the root (``.github/``, ``.dvc/``...) or a hidden file there, a few
    root files (code owners, contribution guide), and the files the root GitLab CI file
    includes from the repository, outside every sub-project."""
    inside = tuple(r.path + "/" for r in refs)
    included = set(gitlab_included_files(tree, ".gitlab-ci.yml"))
    return [
        f
        for f in tree.files
        if not f.startswith(inside) and (f.startswith(".") or f in SHARED_NAMES or f in included)
    ]


def in_scope(folder: str) -> Callable[[str], bool]:
    """The files a scan of ``folder`` lists from the repository's root: the folder's own and
    the repository's settings that may apply to it (:func:`shared_files`)."""
    inside = folder.strip("/") + "/"
    return lambda rel: rel.startswith((inside, ".")) or rel in SHARED_NAMES


def shared_with(tree: RepoTree, folder: str, shared: list[str]) -> list[str]:
    """The repository's own settings (``shared``) that apply to ``folder``: all but the CI
    workflows that clearly run for other folders only (:func:`ci_folders`)."""
    folder = folder.strip("/")
    out: list[str] = []
    for rel in shared:
        named = ci_folders(tree, rel) if rel.endswith((".yml", ".yaml")) else None
        if named is None or any(_related(path, folder, tree.root) for path in named):
            out.append(rel)
    return out


# characters from which a path filter is a pattern (glob) or an expression, not a name
_PATTERN = re.compile(r"[*?\[{$]")


def ci_folders(tree: RepoTree, rel: str) -> list[str] | None:
    """The folders a CI workflow of the repository runs for, if it says so: its push and
    pull request ``paths:`` filters (GitHub Actions, Azure Pipelines ``include``), else the
    ``working-directory:`` its jobs run their commands in (a job's setup steps, run from the
    root, go with them). ``None`` when some job names no folder (it may concern any); the
    names are given as written."""
    docs = tree.yaml(rel)
    if not docs or not isinstance(docs[0], dict):
        return None
    doc = docs[0]
    filters = _path_filters(doc)
    if filters:
        return filters
    jobs = doc.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        return None
    named: list[str] = []
    for job in jobs.values():
        if not isinstance(job, dict):
            return None
        default = _working_directory(job.get("defaults"))
        steps = job.get("steps")
        where = [default] if default else []
        where += [
            str(step["working-directory"])
            for step in (steps if isinstance(steps, list) else [])
            if isinstance(step, dict) and step.get("working-directory")
        ]
        if not where:
            return None  # a job run from the root (or a reusable workflow): any folder
        named += where
    return named


def _path_filters(doc: dict[Any, Any]) -> list[str]:
    on = doc.get("on", doc.get(True))
    specs = [on.get(e) for e in ("push", "pull_request", "pull_request_target")] if isinstance(
        on, dict
    ) else []
    specs += [doc.get("trigger"), doc.get("pr")]  # Azure Pipelines
    named: list[str] = []
    for spec in specs:
        if not isinstance(spec, dict):
            continue
        paths = spec.get("paths")
        if isinstance(paths, dict):
            paths = paths.get("include")
        if isinstance(paths, list):
            named += [str(p) for p in paths if not str(p).startswith("!")]
    return named


def _working_directory(defaults: object) -> str | None:
    run = defaults.get("run") if isinstance(defaults, dict) else None
    where = run.get("working-directory") if isinstance(run, dict) else None
    return where if isinstance(where, str) else None


def _related(path: str, folder: str, root: Path) -> bool:
    """Whether a folder or filter a workflow names (``credit-scorer/**``,
    ``./credit-scorer``) is ``folder``, inside it or holds it; a pattern from the root
    (``**/*.py``) or a file at the root (``requirements.txt``) may concern any folder."""
    name = path.strip().strip("'\"")
    while name.startswith("./"):
        name = name[2:]
    cut = _PATTERN.search(name)
    literal = name[: cut.start()] if cut else name
    if cut and "/" not in literal:
        return True  # ``**/*.py``, ``src*``: a pattern from the root
    if cut and not literal.endswith("/"):  # ``src/credit*``: a name begun
        return folder.startswith(literal) or literal.startswith(folder + "/")
    folder_like = literal.endswith("/")  # ``fraud/``, ``fraud/**``
    literal = literal.rstrip("/")
    if not literal or literal == "." or literal.startswith("/") or ".." in literal.split("/"):
        return True
    if "/" not in literal and not folder_like and not (root / literal).is_dir():
        return True  # a file at the root (``requirements.txt``): the repository's own
    return (
        literal == folder
        or (folder + "/").startswith(literal + "/")
        or literal.startswith(folder + "/")
    )
