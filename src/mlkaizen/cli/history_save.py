"""Storing the points of a replay (`mlkaizen history --save`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from mlkaizen.engine.model import Assessment
from mlkaizen.history.model import CommitInfo


def saver(path: Path, db: str | None) -> Callable[[CommitInfo, Assessment], None]:
    """A callback storing each replayed point as an assessment of origin ``history``, with
    its commit and commit time (the store is opened now, before the replay starts)."""
    from mlkaizen.cli.store_cmd import open_db

    store = open_db(db, path)  # a SQLite file in the repository: never through a link
    from mlkaizen.store.records import save
    from mlkaizen.store.snapshots import subject_key

    key, name = subject_key(path)

    def keep(commit: CommitInfo, a: Assessment) -> None:
        when = dt.datetime.fromtimestamp(commit.committed, dt.UTC)
        save(store, a, key=key, name=name, origin="history", commit=commit.sha,
             commit_date=when, keep_report=False)

    return keep
