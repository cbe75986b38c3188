"""One manifest entry assessed: a local work tree as ``assess`` reads it, or a commit read
straight from git objects (a git URL fetched into the cache, or a local repository at a
ref), with each sub-project of a monorepo as a subject of its own under the repository."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.limits import ScanLimits
from mlkaizen.fleet.manifest import Entry
from mlkaizen.store.fleet import StoredSubject


class JobError(MLKaizenError):
    """A job failed. ``permanent``: trying again cannot help (a missing path, a refused
    location), so it is not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class DiskFullError(MLKaizenError):
    """The cache's disk is full: the run stops (what is stored stays)."""


@dataclass
class Scanned:
    subjects: list[StoredSubject]  # the repository first, then its sub-projects
    commit: str | None
    commit_date: dt.datetime | None


def scan_entry(
    entry: Entry,
    *,
    cache: Path,
    catalogue: Catalogue,
    limits: ScanLimits,
    today: dt.date | None = None,
) -> Scanned:
    """Assess ``entry``; raises :class:`JobError` (or :class:`DiskFullError`) with a one-line
    reason."""
    raise NotImplementedError
