"""What the server's pages read besides the portfolio: a subject's newest stored assessment
(with its report), the organisation's plan items with their subjects (the plan board), and
the teams and owners the filters offer. One query each, whatever the number of subjects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from mlkaizen.store.db import Store
from mlkaizen.store.plans import Item, _item
from mlkaizen.store.tables import AssessmentRow, PlanRow, SubjectRow


def _utc(when: dt.datetime | None) -> dt.datetime | None:
    if when is None:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


@dataclass
class Stored:
    """A subject's stored assessment: its row's fields, and the report if it was kept."""

    id: int
    created_at: dt.datetime
    origin: str
    commit: str | None
    stage: str
    stage_index: int
    uploaded_by: str | None
    report: dict[str, Any] | None


def newest(store: Store, subject_id: int) -> Stored | None:
    """The subject's newest stored assessment (``None`` for a subject never assessed)."""
    with store.session() as session:
        row = session.scalar(
            select(AssessmentRow)
            .where(AssessmentRow.subject_id == subject_id)
            .order_by(AssessmentRow.id.desc())
            .limit(1)
        )
        if row is None:
            return None
        created = _utc(row.created_at)
        assert created is not None
        return Stored(row.id, created, row.origin, row.commit_sha, row.stage, row.stage_index,
                      row.uploaded_by, row.report)


def subject_items(store: Store, subject_id: int) -> list[Item]:
    """The subject's plan items, oldest first."""
    with store.session() as session:
        rows = session.scalars(
            select(PlanRow).where(PlanRow.subject_id == subject_id).order_by(PlanRow.id)
        )
        return [_item(r) for r in rows]


@dataclass
class BoardItem:
    """A plan item on the board, with its subject and, once achieved, when the assessment
    that achieved it was stored."""

    item: Item
    subject_id: int
    subject: str
    achieved_by_at: dt.datetime | None = None


def org_items(store: Store, org_id: int, owner: str | None = None) -> list[BoardItem]:
    """The organisation's plan items (of one ``owner``, if given), by owner, due date, id."""
    with store.session() as session:
        query = (
            select(PlanRow, SubjectRow.id, SubjectRow.name, AssessmentRow.created_at)
            .join(SubjectRow, SubjectRow.id == PlanRow.subject_id)
            .outerjoin(AssessmentRow, AssessmentRow.id == PlanRow.achieved_assessment_id)
            .where(SubjectRow.org_id == org_id)
            .order_by(PlanRow.owner, PlanRow.due, PlanRow.id)
        )
        if owner is not None:
            query = query.where(PlanRow.owner == owner)
        return [
            BoardItem(_item(row), sid, name, _utc(at))
            for row, sid, name, at in session.execute(query)
        ]


def owners(store: Store, org_id: int) -> list[str]:
    """Everyone who owns a plan item in the organisation, sorted."""
    with store.session() as session:
        return list(session.scalars(
            select(PlanRow.owner).distinct()
            .join(SubjectRow, SubjectRow.id == PlanRow.subject_id)
            .where(SubjectRow.org_id == org_id)
            .order_by(PlanRow.owner)
        ))


def teams(store: Store, org_id: int) -> list[str]:
    """The teams the organisation's subjects belong to, sorted."""
    with store.session() as session:
        return list(session.scalars(
            select(SubjectRow.team).distinct()
            .where(SubjectRow.org_id == org_id, SubjectRow.team.is_not(None))
            .order_by(SubjectRow.team)
        ))
