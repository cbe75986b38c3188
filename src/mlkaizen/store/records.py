"""Writing and reading assessments: subjects, immutable rows, snapshots and diffs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import case, func, insert, select
from sqlalchemy.orm import Session

from mlkaizen.engine.model import Assessment
from mlkaizen.errors import MLKaizenError
from mlkaizen.store.db import Store
from mlkaizen.store.plans import check_plans
from mlkaizen.store.snapshots import (
    Practice,
    Snapshot,
    find_subject,
    snapshot_of,
    subject_row,
)
from mlkaizen.store.tables import (
    DEFAULT_ORG_ID,
    AnswerRow,
    AssessmentRow,
    PracticeRow,
    ProfileRow,
    SubjectRow,
    TargetRow,
)

if TYPE_CHECKING:
    from mlkaizen.inputs import Inputs


def latest(session: Session, subject_id: int, before: int | None = None) -> AssessmentRow | None:
    query = select(AssessmentRow).where(AssessmentRow.subject_id == subject_id)
    if before is not None:
        query = query.where(AssessmentRow.id < before)
    return session.scalar(query.order_by(AssessmentRow.id.desc()).limit(1))


@dataclass
class Saved:
    id: int
    previous: Snapshot | None
    current: Snapshot
    achieved: list[tuple[int, str, str]]  # plan item id, practice, how
    subject_id: int = 0


def save(
    store: Store,
    a: Assessment,
    *,
    key: str,
    name: str,
    origin: str = "assess",
    commit: str | None = None,
    commit_date: dt.datetime | None = None,
    now: dt.datetime | None = None,
    keep_report: bool = True,
    inputs: Inputs | None = None,
    org_id: int = DEFAULT_ORG_ID,
    idempotency_key: str | None = None,
    uploaded_by: str | None = None,
    on_subject: Callable[[SubjectRow], None] | None = None,
) -> Saved:
    """Store one assessment (never overwriting: a re-assessment of the same commit points at
    the row it supersedes) with the answers, profile and targets it was made with, and close
    the open plan items its evidence achieves, all in one transaction. ``on_subject`` may
    change the subject's row (an upload's team, target, forge link) in that transaction."""
    with store.session() as session:
        return save_in(
            session, a, key=key, name=name, origin=origin, commit=commit,
            commit_date=commit_date, now=now, keep_report=keep_report, inputs=inputs,
            org_id=org_id, idempotency_key=idempotency_key, uploaded_by=uploaded_by,
            on_subject=on_subject,
        )


def save_in(
    session: Session,
    a: Assessment,
    *,
    key: str,
    name: str,
    origin: str = "assess",
    commit: str | None = None,
    commit_date: dt.datetime | None = None,
    now: dt.datetime | None = None,
    keep_report: bool = True,
    inputs: Inputs | None = None,
    org_id: int = DEFAULT_ORG_ID,
    idempotency_key: str | None = None,
    uploaded_by: str | None = None,
    on_subject: Callable[[SubjectRow], None] | None = None,
) -> Saved:
    """:func:`save` inside the caller's transaction (a fleet job stores a repository, its
    sub-projects and the job's end in one)."""
    snap = snapshot_of(a, "new", commit)
    subject = subject_row(session, key, name, now or dt.datetime.now(dt.UTC), org_id)
    # concurrent saves of one subject queue here (PostgreSQL; SQLite's writers queue at
    # BEGIN), so that their order by id is their order in time
    session.execute(
        select(SubjectRow.id).where(SubjectRow.id == subject.id).with_for_update()
    )
    now = now or dt.datetime.now(dt.UTC)
    if on_subject is not None:
        on_subject(subject)
    before = latest(session, subject.id)
    previous = load_snapshot(session, before) if before is not None else None
    supersedes = None
    if commit is not None:
        supersedes = session.scalar(
            select(func.max(AssessmentRow.id)).where(
                AssessmentRow.subject_id == subject.id, AssessmentRow.commit_sha == commit
            )
        )
    row = AssessmentRow(
        subject_id=subject.id,
        created_at=now,
        origin=origin,
        commit_sha=commit,
        commit_date=commit_date,
        supersedes_id=supersedes,
        stage=a.stage,
        stage_index=a.stage_index,
        levels=snap.levels,
        catalogue_id=a.catalogue["id"],
        catalogue_version=a.catalogue["version"],
        tool_version=a.tool_version,
        report=a.model_dump(mode="json") if keep_report else None,
        idempotency_key=idempotency_key,
        uploaded_by=uploaded_by,
    )
    session.add(row)
    session.flush()
    if snap.practices:  # one statement for them all (a fleet stores thousands a minute)
        session.execute(
            insert(PracticeRow),
            [
                {
                    "assessment_id": row.id,
                    "practice": pid,
                    "state": p.state,
                    "source": p.source,
                    "satisfied": p.satisfied,
                    "evidence": p.evidence,
                    "attested_by": p.attested_by,
                }
                for pid, p in snap.practices.items()
            ],
        )
    if inputs is not None:
        _add_inputs(session, row.id, inputs)
    as_of = commit_date if origin == "history" else None
    achieved = check_plans(session, subject.id, row.id, snap, now=now, as_of=as_of)
    snap.id, snap.label, snap.created_at = row.id, f"#{row.id}", now
    return Saved(row.id, previous, snap, achieved, subject.id)


def _add_inputs(session: Session, assessment_id: int, inputs: Inputs) -> None:
    session.add_all(
        AnswerRow(
            assessment_id=assessment_id,
            respondent=a.respondent,
            role=a.role,
            practice=a.practice,
            answer=a.answer,
            kind=a.kind,
            link=a.link,
            comment=a.comment,
            answered_on=a.answered_on,
        )
        for a in inputs.answers
    )
    session.add_all(
        ProfileRow(assessment_id=assessment_id, field=k, value=v, source=inputs.profile_file)
        for k, v in inputs.profile.items()
    )
    session.add_all(
        TargetRow(assessment_id=assessment_id, source=t.source, key=t.key, value=t.value,
                  label=t.label)
        for t in inputs.targets
    )


def load_inputs(store: Store, assessment_id: int) -> Inputs:
    """The answers, profile and targets a stored assessment was made with."""
    from mlkaizen.inputs import AnswerRecord, Inputs, TargetRecord

    with store.session() as session:
        answers = session.scalars(
            select(AnswerRow).where(AnswerRow.assessment_id == assessment_id).order_by(AnswerRow.id)
        )
        found = Inputs(
            answers=[
                AnswerRecord(a.respondent, a.practice, a.answer, a.kind, a.role, a.link,
                             a.comment, a.answered_on)
                for a in answers
            ]
        )
        for p in session.scalars(
            select(ProfileRow)
            .where(ProfileRow.assessment_id == assessment_id)
            .order_by(ProfileRow.field)
        ):
            found.profile[p.field] = p.value
            found.profile_file = p.source
        found.targets = [
            TargetRecord(t.source, t.key, t.value, t.label)
            for t in session.scalars(
                select(TargetRow)
                .where(TargetRow.assessment_id == assessment_id)
                .order_by(TargetRow.source, TargetRow.key)
            )
        ]
        return found


def latest_snapshot(store: Store, key: str, org_id: int = DEFAULT_ORG_ID) -> Snapshot | None:
    """The subject's newest stored assessment (``None`` for a subject never stored)."""
    with store.session() as session:
        subject = find_subject(session, key, org_id)
        row = latest(session, subject.id) if subject is not None else None
        return load_snapshot(session, row) if row is not None else None


def load_snapshot(session: Session, row: AssessmentRow) -> Snapshot:
    practices = session.scalars(select(PracticeRow).where(PracticeRow.assessment_id == row.id))
    return Snapshot(
        id=row.id,
        label=f"#{row.id}",
        created_at=row.created_at,
        stage=row.stage,
        stage_index=row.stage_index,
        levels=dict(row.levels),
        practices={
            p.practice: Practice(p.state, p.source, p.satisfied, list(p.evidence), p.attested_by)
            for p in practices
        },
        commit=row.commit_sha,
    )


def get(store: Store, assessment_id: int) -> tuple[Snapshot, str]:
    """A stored assessment and the key of its subject."""
    with store.session() as session:
        row = session.get(AssessmentRow, assessment_id)
        if row is None:
            raise MLKaizenError(f"no stored assessment #{assessment_id} (see `mlkaizen log`)")
        subject = session.get(SubjectRow, row.subject_id)
        assert subject is not None
        return load_snapshot(session, row), subject.key


@dataclass
class LogLine:
    id: int
    created_at: dt.datetime
    origin: str
    commit: str | None
    stage: str
    levels: dict[str, int]
    supersedes: int | None
    answers: int = 0  # questionnaire answers (and facilitators' decisions) used
    respondents: int = 0  # who gave them
    attestations: int = 0  # the config's attestations used
    target: str | None = None  # the profile's target stage


def log(store: Store, key: str, limit: int = 50, org_id: int = DEFAULT_ORG_ID
        ) -> list[LogLine]:
    """Stored assessments of a subject, newest first."""
    with store.session() as session:
        subject = find_subject(session, key, org_id)
        if subject is None:
            return []
        rows = session.execute(
            select(
                AssessmentRow.id,
                AssessmentRow.created_at,
                AssessmentRow.origin,
                AssessmentRow.commit_sha,
                AssessmentRow.stage,
                AssessmentRow.levels,
                AssessmentRow.supersedes_id,
            )
            .where(AssessmentRow.subject_id == subject.id)
            .order_by(AssessmentRow.id.desc())
            .limit(limit)
        ).all()
        lines = [LogLine(*r) for r in rows]
        ids = [x.id for x in lines]
        if not ids:
            return lines
        # counted as the report counts them: the practices the answers settled (a "don't
        # know" settles nothing; two respondents answering one practice settle it once)
        # grouped by the label: PostgreSQL takes two renderings of one comparison, each with
        # its own bound parameter, for two different expressions
        attested = (AnswerRow.kind == "attestation").label("attested")
        counts: dict[tuple[int, bool], tuple[int, int]] = {
            (a_id, is_attested): (n, people)
            for a_id, is_attested, n, people in session.execute(
                select(
                    AnswerRow.assessment_id,
                    attested,
                    func.count(
                        case((AnswerRow.answer != "unknown", AnswerRow.practice)).distinct()
                    ),
                    func.count(AnswerRow.respondent.distinct()),
                )
                .where(AnswerRow.assessment_id.in_(ids))
                .group_by(AnswerRow.assessment_id, attested)
            )
        }
        targets = {
            a_id: label
            for a_id, label in session.execute(
                select(TargetRow.assessment_id, TargetRow.label).where(
                    TargetRow.assessment_id.in_(ids),
                    TargetRow.source == "profile",
                    TargetRow.key == "stage",
                )
            )
        }
        for x in lines:
            x.answers, x.respondents = counts.get((x.id, False), (0, 0))
            x.attestations = counts.get((x.id, True), (0, 0))[0]
            x.target = targets.get(x.id)
        return lines
