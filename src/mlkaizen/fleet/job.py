"""One manifest entry assessed: a local work tree as ``assess`` reads it, or a commit read
straight from git objects (a git URL fetched into the cache, or a local repository at a
ref), with each sub-project of a monorepo as a subject of its own under the repository."""

from __future__ import annotations

import datetime as dt
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.gitcommit import CommitTree, GitObjects
from mlkaizen.evidence.limits import ScanLimits
from mlkaizen.fleet.errors import DiskFullError, JobError
from mlkaizen.fleet.manifest import Entry, part_key, part_name
from mlkaizen.store.fleet import StoredSubject

__all__ = ["DiskFullError", "JobError", "Scanned", "scan_entry"]

if TYPE_CHECKING:
    from mlkaizen.engine.model import Assessment, SubProject


@dataclass
class Scanned:
    subjects: list[StoredSubject]  # the repository first, then its sub-projects
    commit: str | None
    commit_date: dt.datetime | None


DEFAULT_TIMEOUT = 600.0  # seconds a fetch may take when the caller gives no time limit


def scan_entry(
    entry: Entry,
    *,
    cache: Path,
    catalogue: Catalogue,
    limits: ScanLimits,
    today: dt.date | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Scanned:
    """Assess ``entry``; raises :class:`JobError` (or :class:`DiskFullError`) with a one-line
    reason. ``timeout`` bounds the fetch of a git URL (the job's time limit)."""
    if entry.kind == "path" and entry.ref is None:
        return _work_tree(entry, catalogue=catalogue, limits=limits, today=today)
    if entry.kind == "git":
        from mlkaizen.fleet.fetch import fetch

        got = fetch(entry.location, entry.ref, cache, timeout=timeout)
        objects = GitObjects(got.repo, bare=True)
        return _commit(entry, objects, got.commit, got.commit_date, "", catalogue=catalogue,
                       limits=limits, today=today)
    objects, prefix, commit, when = _local_ref(entry)
    return _commit(entry, objects, commit, when, prefix, catalogue=catalogue, limits=limits,
                   today=today)


def _work_tree(
    entry: Entry, *, catalogue: Catalogue, limits: ScanLimits, today: dt.date | None
) -> Scanned:
    """A local folder as ``assess`` reads it (its work tree), with the commit checked out
    there when it is a git work tree."""
    from mlkaizen.api import assess_judged
    from mlkaizen.evidence.git import head_commit

    root = Path(entry.location)
    folder = root / entry.subpath if entry.subpath else root
    if not folder.is_dir():
        raise JobError(f"{folder}: no such folder", permanent=True)
    parts: list[tuple[SubProject, Assessment]] = []
    whole, _ = assess_judged(
        folder, catalogue=catalogue, limits=limits, today=today, parts_out=parts
    )
    commit, when = head_commit(folder)
    return Scanned(_subjects(entry, whole, parts), commit, when)


def _local_ref(entry: Entry) -> tuple[GitObjects, str, str, dt.datetime | None]:
    """A local repository's own object database (checked as the history reader checks
    it), the folder of it to assess, and the commit ``entry.ref`` names with its date."""
    from mlkaizen.evidence.git import commit_time
    from mlkaizen.evidence.gitopen import has_commits, locate_repository

    root = Path(entry.location)
    try:
        # not open_repository: its HEAD need not name a commit (a HEAD to a branch since
        # deleted), only the entry's ref
        top, prefix = locate_repository(root)
    except MLKaizenError as exc:
        raise JobError(exc.message if exc.path is None else f"{exc.path}: {exc.message}",
                       permanent=True) from None
    objects = GitObjects(top)
    proc = objects.command(
        "log", "-1", "--format=%H%x1f%ct", "--end-of-options", f"{entry.ref}^{{commit}}", "--"
    )
    if proc.returncode != 0 or not proc.stdout.strip():
        empty = not has_commits(objects) and not objects.command(
            "for-each-ref", "--count=1", "--format=%(refname)"
        ).stdout.strip()
        objects.close()
        if empty:
            raise JobError(f"{root}: the repository has no commits yet", permanent=True)
        raise JobError(f"{root}: ref {entry.ref!r} not found in the repository",
                       permanent=True)
    sha, _, stamp = proc.stdout.decode("ascii", "replace").strip().partition("\x1f")
    return objects, prefix, sha, commit_time(stamp)


def _commit(
    entry: Entry,
    objects: GitObjects,
    commit: str,
    when: dt.datetime | None,
    prefix: str,
    *,
    catalogue: Catalogue,
    limits: ScanLimits,
    today: dt.date | None,
) -> Scanned:
    """The commit assessed straight from git objects (nothing checked out), as the
    history replay assesses one: the commit's own config and saved answers, and each
    sub-project as a subject. ``prefix``: the entry's folder in the repository."""
    from mlkaizen.api import assess_judged
    from mlkaizen.evidence.commitfiles import commit_answers, commit_config

    folder = prefix + (entry.subpath + "/" if entry.subpath else "")
    with closing(objects), tempfile.TemporaryDirectory(prefix="mlkaizen-fleet-") as tmp:
        scratch = Path(tmp)
        root = scratch / "tree"  # what reports show as the folder: nothing is read from it
        root.mkdir()
        tree = CommitTree(objects, commit, root, limits=limits, prefix=folder)
        if folder and not any(True for _ in tree.files):
            raise JobError(f"{entry.location}: no folder {folder.rstrip('/')!r} in commit "
                           f"{commit[:12]}", permanent=True)
        parts: list[tuple[SubProject, Assessment]] = []
        whole, _ = assess_judged(
            root,
            catalogue=catalogue,
            config=commit_config(tree, scratch),
            limits=limits,
            answers=commit_answers(tree, scratch),
            subject=entry.name,
            today=today,
            tree_factory=lambda _root, _limits: tree,
            parts_out=parts,
        )
    whole.subject = whole.subject.model_copy(update={"path": entry.key})
    return Scanned(_subjects(entry, whole, parts), commit, when)


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
