"""Snapshots of assessments as the store compares them, and the subject rows they hang on:
what both the records and the plans need (so that neither imports the other back)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mlkaizen.engine.model import SATISFIED, Assessment, Source
from mlkaizen.store.tables import DEFAULT_ORG_ID, SubjectRow


def subject_key(path: str | Path) -> tuple[str, str]:
    """The key (resolved path) and display name of a repository folder."""
    resolved = Path(path).resolve()
    return str(resolved), resolved.name


@dataclass
class Practice:
    state: str
    source: str
    satisfied: bool
    evidence: list[dict[str, Any]]
    attested_by: str | None = None


@dataclass
class Snapshot:
    """One stored (or freshly computed) assessment, as ``diff`` and plans need it."""

    id: int | None
    label: str  # "#12" or a short commit id
    created_at: dt.datetime | None
    stage: str
    stage_index: int
    levels: dict[str, int]
    practices: dict[str, Practice] = field(default_factory=dict)
    commit: str | None = None

    @property
    def satisfied(self) -> set[str]:
        return {pid for pid, p in self.practices.items() if p.satisfied}


def snapshot_of(a: Assessment, label: str, commit: str | None = None) -> Snapshot:
    return Snapshot(
        id=None,
        label=label,
        created_at=None,
        stage=a.stage,
        stage_index=a.stage_index,
        levels={d.id: d.level for d in a.dimensions},
        practices={
            p.id: Practice(
                state=p.state.value,
                source=p.source.value,
                satisfied=p.state in SATISFIED,
                evidence=[e.model_dump(exclude_defaults=True) for e in p.evidence],
                attested_by=p.note if p.source is Source.ATTESTED else None,
            )
            for p in a.practices
        },
        commit=commit,
    )


def subject_row(
    session: Session, key: str, name: str, now: dt.datetime, org_id: int = DEFAULT_ORG_ID
) -> SubjectRow:
    """The subject's row in the organisation, created if new (a concurrent writer creating
    it first is fine)."""
    query = select(SubjectRow).where(SubjectRow.org_id == org_id, SubjectRow.key == key)
    row = session.scalar(query)
    if row is None:
        try:
            with session.begin_nested():
                row = SubjectRow(org_id=org_id, key=key, name=name, created_at=now)
                session.add(row)
        except IntegrityError:
            row = session.scalar(query)
            assert row is not None
    return row


def find_subject(session: Session, key: str, org_id: int = DEFAULT_ORG_ID) -> SubjectRow | None:
    return session.scalar(
        select(SubjectRow).where(SubjectRow.org_id == org_id, SubjectRow.key == key)
    )


__all__ = ["Practice", "Snapshot", "find_subject", "snapshot_of", "subject_key", "subject_row"]
