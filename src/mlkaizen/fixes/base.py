"""What a fix is: a practice it closes, a title, and a plan of file changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mlkaizen.fixes.facts import RepoFacts


@dataclass(frozen=True)
class Change:
    """Write ``content`` to ``path``. ``edit`` marks a change to an existing file (which is
    only made with ``--force``)."""

    path: str
    content: str
    edit: bool = False
    note: str = ""  # what the user must still do for the change to take effect
    summary: str = ""  # what the change puts in place, in a sentence


@dataclass(frozen=True)
class FixContext:
    root: Path
    facts: RepoFacts
    read: Callable[[str], str | None]  # text of a repository file, if any
    owners: tuple[str, ...] = ()  # code owners the user confirmed (``--owner``)
    force: bool = False  # existing files may be edited (``--force``)


Planner = Callable[[FixContext], list[Change]]
# why a fix does not fit the repository's stack, or None when it does
Fits = Callable[[RepoFacts], str | None]


def always(_facts: RepoFacts) -> str | None:
    return None


@dataclass(frozen=True)
class Fix:
    practices: tuple[str, ...]  # the first is the one it is listed under
    title: str
    plan: Planner
    fits: Fits = always

    def label(self, facts: RepoFacts) -> str:
        """The title, naming the CI system a generated pipeline is for (``{ci}``)."""
        from mlkaizen.fixes.fit import ci_name

        return self.title.replace("{ci}", ci_name(facts))
