"""One manifest entry assessed: a local work tree as ``assess`` reads it, or a commit read
straight from git objects (a git URL fetched into the cache, or a local repository at a
ref), with each sub-project of a monorepo as a subject of its own under the repository."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.limits import ScanLimits
from mlkaizen.fleet.manifest import Entry, part_key, part_name
from mlkaizen.store.fleet import StoredSubject

if TYPE_CHECKING:
    from mlkaizen.engine.model import Assessment, SubProject


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
    if entry.kind == "path" and entry.ref is None:
        return _work_tree(entry, catalogue=catalogue, limits=limits, today=today)
    raise NotImplementedError  # git URLs, and local repositories at a ref


def _work_tree(
    entry: Entry, *, catalogue: Catalogue, limits: ScanLimits, today: dt.date | None
) -> Scanned:
    """A local folder as ``assess`` reads it (its work tree)."""
    from mlkaizen.api import assess_judged

    root = Path(entry.location)
    folder = root / entry.subpath if entry.subpath else root
    if not folder.is_dir():
        raise JobError(f"{folder}: no such folder", permanent=True)
    parts: list[tuple[SubProject, Assessment]] = []
    whole, _ = assess_judged(
        folder, catalogue=catalogue, limits=limits, today=today, parts_out=parts
    )
    return Scanned(_subjects(entry, whole, parts), None, None)


def _subjects(
    entry: Entry, whole: Assessment, parts: list[tuple[SubProject, Assessment]]
) -> list[StoredSubject]:
    """The repository's subject, then one per sub-project under it."""
    out = [StoredSubject(entry.key, entry.name, whole, team=entry.team, target=entry.target)]
    out += [
        StoredSubject(
            part_key(entry.key, row.path),
            part_name(entry.name, row.path),
            a,
            parent=entry.key,
            team=entry.team,
        )
        for row, a in parts
    ]
    return out
