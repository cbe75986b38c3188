"""Findings: what a detector observed, with where it observed it. No scoring here."""

from __future__ import annotations

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


def in_tutorial_folder(path: str) -> bool:
    """The one rule for "tutorial folder": a folder of the path is an examples, tutorial,
    demo... folder (:data:`TUTORIAL_DIRS`). ``docs/`` counts only for code and configuration:
    a document kept in ``docs/`` (:func:`is_document`) is the project's own."""
    parts = path.lower().split("/")[:-1]
    tutorial = [p for p in parts if p in TUTORIAL_DIRS]
    if not tutorial:
        return False
    return not (all(p in DOC_DIRS for p in tutorial) and is_document(path))


def context_of(path: str) -> Context:
    """Classify a repository-relative POSIX path by its folders (and, for tests, by the one
    test-file rule of :mod:`mlkaizen.evidence.testcode`)."""
    if in_tutorial_folder(path):
        return Context.TUTORIAL
    if is_test_path(path):
        return Context.TEST
    return Context.PROJECT
