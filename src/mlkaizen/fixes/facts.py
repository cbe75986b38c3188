"""What fixes need to know about a repository, read from the assessment's evidence and the tree
(never by running anything but ``git log`` for authors)."""

from __future__ import annotations

import ast
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from mlkaizen.engine.model import Assessment
from mlkaizen.evidence.git import run_git
from mlkaizen.evidence.testcode import is_test_path
from mlkaizen.evidence.tree import RepoTree
from mlkaizen.fixes.stack import Stack, gather_stack

DATA_SUFFIXES = (".csv", ".parquet", ".json", ".jsonl", ".tsv")
# folders whose files are not the project's own: test fixtures, examples, documentation
SAMPLE_ROWS = 1000  # rows a column's type is inferred from
NOT_PROJECT = {"tests", "test", "examples", "example", "docs"}


@dataclass
class RepoFacts:
    name: str
    package: str | None = None  # importable top-level package, if any
    src_layout: bool = False
    training_script: str | None = None
    training_runnable: bool = False  # the training script runs as a script (a main guard...)
    serving_app: str | None = None  # "module.path:app"
    serving_framework: str | None = None  # FastAPI, Flask...
    data_dirs: list[str] = field(default_factory=list)
    sample_csv: str | None = None
    csv_files: list[str] = field(default_factory=list)  # CSVs of the data folders (first 50)
    requirements: list[str] = field(default_factory=list)
    # other files declaring the dependencies (pyproject.toml, setup.cfg, setup.py,
    # environment.yml), at the root or, for one project in a folder, in that folder
    dependency_files: list[str] = field(default_factory=list)
    devcontainer: str | None = None  # an existing dev container definition
    has_tests: bool = False
    has_dvc_pipeline: bool = False
    authors: list[str] = field(default_factory=list)
    frameworks: list[str] = field(default_factory=list)
    dvc_remote: str | None = None  # URL scheme of the default DVC remote (s3, gs, azure...)
    branch: str = "main"  # the branch checked out, which generated CI triggers on
    stack: Stack = field(default_factory=Stack)

    @property
    def package_dir(self) -> str:
        if self.package is None:
            return "."
        return f"src/{self.package}" if self.src_layout else self.package


def _first(a: Assessment, detector: str) -> tuple[str, int] | None:
    hit = next(
        (
            f
            for f in a.findings
            if f.detector == detector and f.file and f.context.value != "tutorial"
        ),
        None,
    )
    return (hit.file or "", hit.line or 1) if hit else None


def _module_of(path: str) -> str:
    mod = path.removesuffix(".py").replace("/", ".")
    return mod.removeprefix("src.")


def gather(root: Path, a: Assessment, tree: RepoTree) -> RepoFacts:
    facts = RepoFacts(name=root.resolve().name)
    own = sorted(tree.own_packages - {"tests", "test"})
    if own:
        facts.package = own[0]
        facts.src_layout = f"src/{own[0]}/__init__.py" in tree.sizes
    facts.training_script, facts.training_runnable = _training_script(a, tree)
    serving = _first(a, "model_serving_present")
    if serving and serving[0].endswith(".py"):
        facts.serving_app = f"{_module_of(serving[0])}:app"
        facts.serving_framework = next(
            (
                f.values.get("tool")
                for f in a.findings
                if f.detector == "model_serving_present" and f.file == serving[0]
            ),
            None,
        )
    dirs: dict[str, int] = {}
    for rel in tree.files:
        if rel.lower().endswith(DATA_SUFFIXES) and "/" in rel and not _not_project(rel):
            top = rel.split("/")[0]
            if top in ("data", "datasets") or "data" in rel.split("/")[:-1]:
                folder = rel.rsplit("/", 1)[0]
                dirs[folder] = dirs.get(folder, 0) + 1
                if rel.endswith(".csv") and len(facts.csv_files) < 50:
                    facts.csv_files.append(rel)
                if facts.sample_csv is None and rel.endswith(".csv"):
                    facts.sample_csv = rel
    facts.data_dirs = sorted(dirs)
    facts.requirements = _requirements(tree)
    facts.dependency_files = [
        f
        for f in tree.glob(*(n for d in ("", "*/") for n in (f"{d}{x}" for x in DECLARATIONS)))
        if f.count("/") <= 1 and not _not_project(f)
    ]
    if any("/" not in f for f in facts.dependency_files):  # the root's, when it has some
        facts.dependency_files = [f for f in facts.dependency_files if "/" not in f]
    facts.devcontainer = next((f for f in DEVCONTAINERS if f in tree.sizes), None) or next(
        iter(tree.glob(".devcontainer/*/devcontainer.json")), None
    )
    facts.has_tests = any(f.endswith(".py") and is_test_path(f) for f in tree.files)
    facts.has_dvc_pipeline = "dvc.yaml" in tree.sizes
    facts.frameworks = sorted(
        {f.values.get("tool", "") for f in a.findings if f.detector == "training_code_present"}
        - {""}
    )
    facts.authors = _authors(root)
    facts.branch = _branch(root)
    facts.dvc_remote = _dvc_remote(tree)
    facts.stack = gather_stack(a, tree)
    return facts


# files declaring dependencies besides requirements files
DECLARATIONS = ("pyproject.toml", "setup.cfg", "setup.py", "environment.yml", "environment.yaml")
DEVCONTAINERS = (".devcontainer/devcontainer.json", ".devcontainer.json")


def _requirements(tree: RepoTree) -> list[str]:
    """The requirements files: at the root (``requirements*.txt``), else in a
    ``requirements/`` folder, else one project's in a folder (``src/requirements.txt``)."""
    root = [f for f in tree.glob("requirements*.txt") if "/" not in f]
    if root:
        return root
    folder = [f for f in tree.glob("requirements/*.txt") if f.count("/") == 1]
    if folder:
        return folder
    nested = [
        f for f in tree.glob("*/requirements.txt") if f.count("/") == 1 and not _not_project(f)
    ]
    return nested if len(nested) == 1 else []


def _not_project(rel: str) -> bool:
    """A file of a test fixture, an example, the documentation, a hidden folder, or of the
    projects a template generates (a ``{{ cookiecutter.x }}`` folder): not the project's own."""
    parts = rel.split("/")[:-1]
    return rel.startswith(".") or any(p in NOT_PROJECT or "{{" in p or "{%" in p for p in parts)


def _training_script(a: Assessment, tree: RepoTree) -> tuple[str | None, bool]:
    """The training entry point: a script with ``train`` in its name among the files with
    training code (an evaluation or a helper module that imports sklearn is not it), one that
    runs as a script first; and whether it does."""
    files = [
        f.file
        for f in a.findings
        if f.detector == "training_code_present"
        and f.file
        and f.file.endswith(".py")
        and f.context.value == "project"
        and not _not_project(f.file)
    ]
    named = [f for f in files if "train" in f.rsplit("/", 1)[-1].lower()]
    runnable = {f for f in files if _runs_as_script(tree.text(f) or "")}
    for group in ([f for f in named if f in runnable], [f for f in files if f in runnable]):
        if group:
            return group[0], True
    chosen = named or files
    return (chosen[0], False) if chosen else (None, False)


def _runs_as_script(source: str) -> bool:
    """Whether ``python file.py`` does something: a ``__main__`` guard, or top-level code
    (calls, loops, ``with`` blocks), not only imports and definitions."""
    try:
        module = ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    for stmt in module.body:
        if isinstance(stmt, ast.If) and "__main__" in ast.unparse(stmt.test):
            return True
        if isinstance(stmt, (ast.For, ast.While, ast.With)):
            return True
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            return True
    return False


def _dvc_remote(tree: RepoTree) -> str | None:
    """The URL scheme of the default DVC remote (``local`` for a path), if one is configured."""
    text = tree.text(".dvc/config") if ".dvc/config" in tree.sizes else None
    urls = re.findall(r"^\s*url\s*=\s*(\S+)", text or "", re.M)
    if not urls:
        return None
    scheme = urls[0].split("://", 1)[0] if "://" in urls[0] else "local"
    return scheme.lower()


def csv_header(text: str) -> list[tuple[str, str]]:
    """(column, pandera type) from a CSV's header and first rows, each column named as pandas
    reads it (an empty header is ``Unnamed: <i>``, a repeated one ``name.<n>``)."""
    rows = list(csv.reader(io.StringIO("\n".join(text.splitlines()[:SAMPLE_ROWS]))))
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    out = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(header):
        col = raw or f"Unnamed: {i}"
        if col in seen:
            seen[col] += 1
            col = f"{col}.{seen[col]}"
        else:
            seen[col] = 0
        values = [r[i] for r in body if i < len(r) and r[i] != ""]
        out.append((col, _kind(values)))
    return out


def _kind(values: list[str]) -> str:
    def all_match(cast: type) -> bool:
        try:
            for v in values:
                cast(v)
        except ValueError:
            return False
        return bool(values)

    if all_match(int):
        return "int"
    if all_match(float):
        return "float"
    return "str"


def _branch(root: Path) -> str:
    """The branch checked out (``main`` when detached or outside git)."""
    proc = run_git(root, "symbolic-ref", "--quiet", "--short", "HEAD", timeout=20)
    name = proc.stdout.strip() if proc is not None and proc.returncode == 0 else ""
    return name if re.fullmatch(r"[\w./-]+", name) and not name.startswith("-") else "main"


def _authors(root: Path) -> list[str]:
    proc = run_git(root, "log", "--format=%ae", "-n", "500", timeout=20)
    counts: dict[str, int] = {}
    for email in proc.stdout.split() if proc is not None else []:
        if "@" in email and "noreply" not in email:
            counts[email] = counts.get(email, 0) + 1
    return [e for e, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][:3]
