"""Reading an organisation's subjects as the server shows them: the portfolio (each subject's
newest assessment, with what it was a period ago and just before it), one subject, and the
history points of one subject. A few grouped queries, whatever the number of subjects: never
one query per subject."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from mlkaizen.store.db import Store
from mlkaizen.store.tables import AssessmentRow, PlanRow, SubjectRow


@dataclass
class SubjectInfo:
    id: int
    key: str
    name: str
    team: str | None
    target: str | None  # a stage name
    link_base: str | None
    created_at: dt.datetime
    parent_id: int | None = None  # a sub-project's repository (a fleet run's subject)


@dataclass
class PortfolioRow:
    subject: SubjectInfo
    assessment_id: int | None  # the newest; ``None`` for a subject never assessed
    assessed_at: dt.datetime | None
    stage: str | None
    stage_index: int | None
    levels: dict[str, int]
    # the newest assessment at or before the start of the period (``None``: none so old)
    before_id: int | None = None
    before_stage_index: int | None = None
    before_levels: dict[str, int] | None = None
    assessments: int = 0
    open_plans: int = 0
    overdue_plans: int = 0
    # the assessment just before the newest (``None``: the newest is the first)
    previous_id: int | None = None
    previous_stage: str | None = None
    previous_stage_index: int | None = None

    @property
    def regressed_since(self) -> int | None:
        """The previous assessment's id when the newest stands at a lower stage than it
        (a new regression, however recent); ``None`` otherwise."""
        if (self.previous_stage_index is not None and self.stage_index is not None
                and self.stage_index < self.previous_stage_index):
            return self.previous_id
        return None


@dataclass
class Point:
    """One stored assessment of a subject, for its timeline."""

    id: int
    created_at: dt.datetime
    origin: str
    commit: str | None
    commit_date: dt.datetime | None
    stage: str
    stage_index: int
    levels: dict[str, int]


def utc(when: dt.datetime | None) -> dt.datetime | None:
    """A stored time in UTC (SQLite hands back naive datetimes for what was stored in UTC)."""
    if when is None:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def subject_info(row: SubjectRow) -> SubjectInfo:
    created = utc(row.created_at)
    assert created is not None
    return SubjectInfo(row.id, row.key, row.name, row.team, row.target, row.link_base, created,
                       row.parent_id)


def subject(store: Store, org_id: int, subject_id: int) -> SubjectInfo | None:
    """The subject, if it is the organisation's."""
    with store.session() as session:
        row = session.get(SubjectRow, subject_id)
        return subject_info(row) if row is not None and row.org_id == org_id else None


def portfolio(store: Store, org_id: int, *, period: dt.timedelta = dt.timedelta(days=30),
              now: dt.datetime | None = None, today: dt.date | None = None
              ) -> list[PortfolioRow]:
    """Every subject of the organisation with its newest assessment and the one that stood
    a ``period`` ago (for the trend), its count of assessments and its open and overdue plan
    items; ordered by name."""
    now = now or dt.datetime.now(dt.UTC)
    today = today or now.date()
    start = now - period
    with store.session() as session:
        newest = (
            select(AssessmentRow.subject_id, func.max(AssessmentRow.id).label("aid"),
                   func.count(AssessmentRow.id).label("n"))
            .join(SubjectRow, SubjectRow.id == AssessmentRow.subject_id)
            .where(SubjectRow.org_id == org_id)
            .group_by(AssessmentRow.subject_id)
            .subquery()
        )
        older = (
            select(AssessmentRow.subject_id, func.max(AssessmentRow.id).label("aid"))
            .join(SubjectRow, SubjectRow.id == AssessmentRow.subject_id)
            .where(SubjectRow.org_id == org_id, AssessmentRow.created_at <= start)
            .group_by(AssessmentRow.subject_id)
            .subquery()
        )
        before_newest = (
            select(AssessmentRow.subject_id, func.max(AssessmentRow.id).label("aid"))
            .join(newest, newest.c.subject_id == AssessmentRow.subject_id)
            .where(AssessmentRow.id < newest.c.aid)
            .group_by(AssessmentRow.subject_id)
            .subquery()
        )
        rows: dict[int, PortfolioRow] = {}
        for s in session.scalars(
            select(SubjectRow).where(SubjectRow.org_id == org_id).order_by(SubjectRow.name,
                                                                          SubjectRow.id)
        ):
            rows[s.id] = PortfolioRow(subject_info(s), None, None, None, None, {})
        for sid, aid, n, created, stage, index, levels in session.execute(
            select(newest.c.subject_id, AssessmentRow.id, newest.c.n, AssessmentRow.created_at,
                   AssessmentRow.stage, AssessmentRow.stage_index, AssessmentRow.levels)
            .join(AssessmentRow, AssessmentRow.id == newest.c.aid)
        ):
            r = rows[sid]
            r.assessment_id, r.assessments, r.assessed_at = aid, n, utc(created)
            r.stage, r.stage_index, r.levels = stage, index, dict(levels)
        for sid, aid, index, levels in session.execute(
            select(older.c.subject_id, AssessmentRow.id, AssessmentRow.stage_index,
                   AssessmentRow.levels)
            .join(AssessmentRow, AssessmentRow.id == older.c.aid)
        ):
            r = rows[sid]
            r.before_id, r.before_stage_index, r.before_levels = aid, index, dict(levels)
        for sid, aid, stage, index in session.execute(
            select(before_newest.c.subject_id, AssessmentRow.id, AssessmentRow.stage,
                   AssessmentRow.stage_index)
            .join(AssessmentRow, AssessmentRow.id == before_newest.c.aid)
        ):
            r = rows[sid]
            r.previous_id, r.previous_stage, r.previous_stage_index = aid, stage, index
        # grouped by the label: PostgreSQL takes two renderings of one comparison, each with
        # its own bound parameter, for two different expressions
        late = (PlanRow.due < today).label("late")
        for sid, due, n in session.execute(
            select(PlanRow.subject_id, late, func.count(PlanRow.id))
            .join(SubjectRow, SubjectRow.id == PlanRow.subject_id)
            .where(SubjectRow.org_id == org_id, PlanRow.status == "open")
            .group_by(PlanRow.subject_id, late)
        ):
            r = rows[sid]
            r.open_plans += n
            if due:
                r.overdue_plans += n
        return list(rows.values())


def points(store: Store, subject_id: int, limit: int = 500) -> list[Point]:
    """The subject's stored assessments, oldest first (the newest ``limit`` of them)."""
    with store.session() as session:
        found = session.execute(
            select(AssessmentRow.id, AssessmentRow.created_at, AssessmentRow.origin,
                   AssessmentRow.commit_sha, AssessmentRow.commit_date, AssessmentRow.stage,
                   AssessmentRow.stage_index, AssessmentRow.levels)
            .where(AssessmentRow.subject_id == subject_id)
            .order_by(AssessmentRow.id.desc())
            .limit(limit)
        ).all()
    out = []
    for aid, created, origin, commit, commit_date, stage, index, levels in reversed(found):
        when = utc(created)
        assert when is not None
        out.append(Point(aid, when, origin, commit, utc(commit_date), stage, index,
                         dict(levels)))
    return out
