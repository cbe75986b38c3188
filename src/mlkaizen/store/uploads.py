"""Assessments uploaded to the server (``POST /api/v1/orgs/ORG/assessments``): stored with
:func:`mlkaizen.store.records.save` in one transaction, with the subject's team, target and
forge link. An upload may carry an idempotency key: a retry with the same key for the same
subject lands once, and gets the first upload's answer back, even when the two arrive at
the same moment (the key is unique per subject in the table)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from mlkaizen.engine.model import Assessment
from mlkaizen.errors import MLKaizenError
from mlkaizen.store.db import Store
from mlkaizen.store.records import save
from mlkaizen.store.snapshots import find_subject
from mlkaizen.store.tables import AssessmentRow, PlanRow, SubjectRow


@dataclass
class Upload:
    """A validated upload: the assessment and what it says about its subject."""

    assessment: Assessment
    key: str
    name: str | None = None  # else the report's subject name (kept as it was for a known one)
    team: str | None = None  # team and target: set on a subject that has none yet
    target: str | None = None
    link_base: str | None = None  # the forge: replaces the subject's on every upload
    idempotency_key: str | None = None
    uploaded_by: str | None = None


@dataclass
class Landed:
    """Where an upload landed: the assessment and subject ids, its stage, the plan items
    it achieved, and whether it was a replay of an earlier upload with the same key."""

    id: int
    subject_id: int
    stage: str
    stage_index: int
    achieved: list[dict[str, Any]] = field(default_factory=list)
    replayed: bool = False


class KeyReusedError(MLKaizenError):
    """The idempotency key was used before for a different upload of the subject."""


def _replay(store: Store, org_id: int, up: Upload) -> Landed | None:
    """The earlier upload of the subject with the same idempotency key, if any."""
    if up.idempotency_key is None:
        return None
    with store.session() as session:
        subject = find_subject(session, up.key, org_id)
        if subject is None:
            return None
        row = session.scalar(
            select(AssessmentRow).where(
                AssessmentRow.subject_id == subject.id,
                AssessmentRow.idempotency_key == up.idempotency_key,
            )
        )
        if row is None:
            return None
        if row.report != up.assessment.model_dump(mode="json"):
            raise KeyReusedError(
                f"Idempotency-Key {up.idempotency_key!r} was used for another upload of "
                f"this subject (assessment {row.id}); use a new key for a new assessment"
            )
        achieved = [
            {"id": p.id, "practice": p.practice, "how": p.achieved_how}
            for p in session.scalars(
                select(PlanRow)
                .where(PlanRow.achieved_assessment_id == row.id)
                .order_by(PlanRow.id)
            )
        ]
        return Landed(row.id, subject.id, row.stage, row.stage_index, achieved, replayed=True)


def upload(store: Store, org_id: int, up: Upload, *, now: dt.datetime | None = None) -> Landed:
    """Store ``up`` in the organisation (or find the earlier upload it repeats)."""
    found = _replay(store, org_id, up)
    if found is not None:
        return found
    a = up.assessment
    subject_ids: list[int] = []

    def settle(subject: SubjectRow) -> None:
        subject_ids.append(subject.id)
        if up.name and subject.name != up.name:
            subject.name = up.name
        if up.team and not subject.team:
            subject.team = up.team
        if up.target and not subject.target:
            subject.target = up.target
        if up.link_base:
            subject.link_base = up.link_base

    try:
        saved = save(store, a, key=up.key, name=up.name or a.subject.name, origin="upload",
                     now=now, org_id=org_id, idempotency_key=up.idempotency_key,
                     uploaded_by=up.uploaded_by, on_subject=settle)
    except MLKaizenError:
        # the same key at the same moment: the other upload's row won the unique constraint
        found = _replay(store, org_id, up)
        if found is None:
            raise
        return found
    return Landed(saved.id, subject_ids[-1], a.stage, a.stage_index,
                  [{"id": i, "practice": p, "how": how} for i, p, how in saved.achieved])


__all__ = ["KeyReusedError", "Landed", "Upload", "upload"]
