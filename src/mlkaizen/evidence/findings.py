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
    TUTORIAL = "tutorial"  # examples/, tutorials/, docs/, demo/: shown, not credited
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


def context_of(path: str) -> Context:
    """Classify a repository-relative POSIX path by its folders (and, for tests, by the one
    test-file rule of :mod:`mlkaizen.evidence.testcode`)."""
    parts = path.lower().split("/")[:-1]
    if any(p in TUTORIAL_DIRS for p in parts):
        return Context.TUTORIAL
    if is_test_path(path):
        return Context.TEST
    return Context.PROJECT
