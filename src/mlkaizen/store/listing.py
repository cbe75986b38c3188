"""What the REST API reads, a page at a time: an organisation's subjects with their newest
assessment, one subject's history points, the organisation's plan items (with their
subject, in one query), one stored assessment. Pages are keyset pages: ``after`` is the last
id of the page before, and a page holds ``limit`` rows (one more is read to tell whether
another page follows). Everything is read within one organisation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, Text, cast, func, select

from mlkaizen.store.db import Store
from mlkaizen.store.plans import Item
from mlkaizen.store.portfolio import Point, SubjectInfo, subject_info, utc
from mlkaizen.store.tables import AssessmentRow, OrgRow, PlanRow, SubjectRow

T = TypeVar("T")
PLAN_STATUSES = ("open", "overdue", "achieved", "abandoned")


@dataclass
class Latest:
    id: int
    stage: str
    stage_index: int
    levels: dict[str, int]
    created_at: dt.datetime
    catalogue_id: str


@dataclass
class Page(Generic[T]):
    items: list[T]
    more: bool  # another page follows (after the last item's id)


def count_subjects(store: Store, org_id: int) -> int:
    with store.session() as session:
        return int(session.scalar(
            select(func.count(SubjectRow.id)).where(SubjectRow.org_id == org_id)) or 0)


def _latest(session: Any, subject_ids: list[int]) -> dict[int, Latest]:
    if not subject_ids:
        return {}
    newest = (
        select(func.max(AssessmentRow.id).label("aid"))
        .where(AssessmentRow.subject_id.in_(subject_ids))
        .group_by(AssessmentRow.subject_id)
        .subquery()
    )
    out: dict[int, Latest] = {}
    for sid, aid, stage, index, levels, created, catalogue_id in session.execute(
        select(AssessmentRow.subject_id, AssessmentRow.id, AssessmentRow.stage,
               AssessmentRow.stage_index, AssessmentRow.levels, AssessmentRow.created_at,
               AssessmentRow.catalogue_id)
        .join(newest, AssessmentRow.id == newest.c.aid)
    ):
        out[sid] = Latest(aid, stage, index, dict(levels), utc(created) or created,
                          catalogue_id)
    return out


def subjects(store: Store, org_id: int, *, after: int = 0, limit: int = 50
             ) -> Page[tuple[SubjectInfo, Latest | None]]:
    """The organisation's subjects by id, each with its newest assessment (two queries)."""
    with store.session() as session:
        rows = list(session.scalars(
            select(SubjectRow)
            .where(SubjectRow.org_id == org_id, SubjectRow.id > after)
            .order_by(SubjectRow.id)
            .limit(limit + 1)
        ))
        more = len(rows) > limit
        rows = rows[:limit]
        latest = _latest(session, [r.id for r in rows])
        return Page([(subject_info(r), latest.get(r.id)) for r in rows], more)


def subject(store: Store, org_id: int, subject_id: int
            ) -> tuple[SubjectInfo, Latest | None] | None:
    """The subject with its newest assessment, if it is the organisation's."""
    with store.session() as session:
        row = session.get(SubjectRow, subject_id)
        if row is None or row.org_id != org_id:
            return None
        return subject_info(row), _latest(session, [row.id]).get(row.id)


def update_subject(store: Store, org_id: int, subject_id: int, changes: dict[str, str | None]
                   ) -> bool:
    """Set the subject's ``team``, ``target`` or ``link_base`` (``None`` clears one);
    ``False`` when the subject is not the organisation's."""
    allowed = {"team", "target", "link_base"}
    assert set(changes) <= allowed, set(changes) - allowed
    with store.session() as session:
        row = session.get(SubjectRow, subject_id)
        if row is None or row.org_id != org_id:
            return False
        for name, value in changes.items():
            setattr(row, name, value)
        return True


def history(store: Store, subject_id: int, *, after: int = 0, limit: int = 50) -> Page[Point]:
    """The subject's stored assessments, oldest first (one query)."""
    with store.session() as session:
        found = session.execute(
            select(AssessmentRow.id, AssessmentRow.created_at, AssessmentRow.origin,
                   AssessmentRow.commit_sha, AssessmentRow.commit_date, AssessmentRow.stage,
                   AssessmentRow.stage_index, AssessmentRow.levels)
            .where(AssessmentRow.subject_id == subject_id, AssessmentRow.id > after)
            .order_by(AssessmentRow.id)
            .limit(limit + 1)
        ).all()
    points = [
        Point(aid, utc(created) or created, origin, commit, utc(commit_date), stage, index,
              dict(levels))
        for aid, created, origin, commit, commit_date, stage, index, levels in found[:limit]
    ]
    return Page(points, len(found) > limit)


@dataclass
class Stored:
    """One stored assessment with what places it; ``report_json`` is the report's JSON text
    as the database holds it (``null`` when none was kept), not parsed."""

    id: int
    org_slug: str
    subject_id: int
    created_at: dt.datetime
    origin: str
    report_json: str


def assessment(store: Store, assessment_id: int) -> Stored | None:
    """One stored assessment, in one query (the report handed over as text: a reader that
    sends it on need not parse it and write it again)."""
    with store.session() as session:
        found = session.execute(
            select(AssessmentRow.id, OrgRow.slug, AssessmentRow.subject_id,
                   AssessmentRow.created_at, AssessmentRow.origin,
                   cast(AssessmentRow.report, Text))
            .join(SubjectRow, SubjectRow.id == AssessmentRow.subject_id)
            .join(OrgRow, OrgRow.id == SubjectRow.org_id)
            .where(AssessmentRow.id == assessment_id)
        ).one_or_none()
    if found is None:
        return None
    aid, slug, sid, created, origin, report = found
    return Stored(aid, slug, sid, utc(created) or created, origin,
                  report if report is not None else "null")


# -- plan items ---------------------------------------------------------------------------


@dataclass
class PlanLine:
    item: Item
    subject_id: int
    subject_key: str
    subject_name: str


def _item(row: PlanRow) -> Item:
    return Item(row.id, row.practice, row.owner, row.due, row.note,
                utc(row.created_at) or row.created_at, row.status, row.achieved_how,
                row.achieved_assessment_id, utc(row.achieved_at), row.abandoned_reason)


def _plan_query(org_id: int) -> Select[PlanRow, int, str, str]:
    return (
        select(PlanRow, SubjectRow.id, SubjectRow.key, SubjectRow.name)
        .join(SubjectRow, SubjectRow.id == PlanRow.subject_id)
        .where(SubjectRow.org_id == org_id)
    )


def plans(store: Store, org_id: int, *, today: dt.date, status: str | None = None,
          owner: str | None = None, subject_id: int | None = None, after: int = 0,
          limit: int = 50) -> Page[PlanLine]:
    """The organisation's plan items by id, with their subject (one query). ``status``:
    ``open`` (open, not past due), ``overdue`` (open, past due), ``achieved`` or
    ``abandoned``; ``owner``: only that owner's."""
    query = _plan_query(org_id).where(PlanRow.id > after)
    if status == "open":
        query = query.where(PlanRow.status == "open", PlanRow.due >= today)
    elif status == "overdue":
        query = query.where(PlanRow.status == "open", PlanRow.due < today)
    elif status is not None:
        query = query.where(PlanRow.status == status)
    if owner is not None:
        query = query.where(PlanRow.owner == owner)
    if subject_id is not None:
        query = query.where(PlanRow.subject_id == subject_id)
    with store.session() as session:
        found = session.execute(query.order_by(PlanRow.id).limit(limit + 1)).all()
        lines = [PlanLine(_item(row), sid, key, name) for row, sid, key, name in found[:limit]]
    return Page(lines, len(found) > limit)


def plan_item(store: Store, org_id: int, item_id: int) -> PlanLine | None:
    """One plan item, if its subject is the organisation's."""
    with store.session() as session:
        found = session.execute(_plan_query(org_id).where(PlanRow.id == item_id)).one_or_none()
        if found is None:
            return None
        row, sid, key, name = found
        return PlanLine(_item(row), sid, key, name)


__all__ = ["PLAN_STATUSES", "Latest", "Page", "PlanLine", "Stored", "assessment",
           "count_subjects", "history", "plan_item", "plans", "subject", "subjects",
           "update_subject"]
