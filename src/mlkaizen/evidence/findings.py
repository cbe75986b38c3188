"""Findings: what a detector observed, with where it observed it. No scoring here."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from mlkaizen.evidence.testcode import is_test_path


class Outcome(StrEnum):
    """What a finding says about its detector's fact."""

    FOUND = "found"  # the fact holds here
    PARTIAL = "partial"  # the fact holds in part (e.g. some requirements pinned)
    INFO = "info"  # context, neither for nor against (e.g. "this repo is an ML tool")
    WARNING = "warning"  # the scan hit a problem (malformed file, limit, unreadable)


class Context(StrEnum):
    """Where in the repository a finding sits, as far as the path tells."""

    PROJECT = "project"
    TUTORIAL = "tutorial"  # examples/, tutorials/, demo/, code in docs/: shown, not credited
    TEST = "test"


class Finding(BaseModel):
    """One observation, anchored to a file and line where there is one."""

    model_config = ConfigDict(frozen=True)

    detector: str
    outcome: Outcome
    file: str | None = None
    line: int | None = None
    detail: str = ""
    context: Context = Context.PROJECT
    values: dict[str, str] = Field(default_factory=dict)

    def sort_key(self) -> tuple[str, str, int, str]:
        return (self.detector, self.file or "", self.line or 0, self.detail)


TUTORIAL_DIRS = frozenset(
    {
        "example",
        "examples",
        "tutorial",
        "tutorials",
        "demo",
        "demos",
        "sample",
        "samples",
        "docs",
        "doc",
        "cookbook",
        "quickstart",
        "getting_started",
        "getting-started",
        "playground",
        "sandbox",
    }
)

# folders that hold a project's documentation: code and configuration in them are examples,
# but the documents themselves (CODEOWNERS, CONTRIBUTING.md, a data card) are the project's
DOC_DIRS = frozenset({"docs", "doc"})
DOCUMENT_SUFFIXES = (".md", ".markdown", ".rst", ".txt", ".adoc")


def is_document(path: str) -> bool:
    """A prose or governance document: Markdown/reST/text, or a suffix-less file such as
    ``CODEOWNERS``, ``MAINTAINERS`` or ``OWNERS``."""
    name = path.rsplit("/", 1)[-1]
    return name.lower().endswith(DOCUMENT_SUFFIXES) or ("." not in name and name.isupper())


def in_tutorial_folder(path: str, packages: frozenset[str] = frozenset()) -> bool:
    """The one rule for "tutorial folder": a folder of the path is an examples, tutorial,
    demo... folder (:data:`TUTORIAL_DIRS`). ``docs/`` counts only for code and configuration:
    a document kept in ``docs/`` (:func:`is_document`) is the project's own. A folder named
    in ``packages`` (see :func:`packaged_tutorial_folders`) is the project's code whatever
    its name."""
    parts = path.split("/")[:-1]
    tutorial = [
        p.lower()
        for i, p in enumerate(parts)
        if p.lower() in TUTORIAL_DIRS and not (packages and "/".join(parts[: i + 1]) in packages)
    ]
    if not tutorial:
        return False
    return not (all(p in DOC_DIRS for p in tutorial) and is_document(path))


def packaged_tutorial_folders(files: Iterable[str]) -> frozenset[str]:
    """Folders named like a tutorial folder that are a subpackage of a Python package
    (``pkg/__init__.py`` and ``pkg/example/__init__.py``): the project's code imports them
    as ``pkg.example``, so they hold the project's own code, not an example of it. A
    top-level ``examples/`` package, or one whose parent is no package, stays a tutorial."""
    packages = {rel[: -len("/__init__.py")] for rel in files if rel.endswith("/__init__.py")}
    return frozenset(
        folder
        for folder in packages
        if (split := folder.rpartition("/"))[0] in packages
        and split[2].lower() in TUTORIAL_DIRS
        and split[2].lower() not in DOC_DIRS
    )


def context_of(path: str, packages: frozenset[str] = frozenset()) -> Context:
    """Classify a repository-relative POSIX path by its folders (and, for tests, by the one
    test-file rule of :mod:`mlkaizen.evidence.testcode`); ``packages`` as for
    :func:`in_tutorial_folder`."""
    if in_tutorial_folder(path, packages):
        return Context.TUTORIAL
    if is_test_path(path):
        return Context.TEST
    return Context.PROJECT
