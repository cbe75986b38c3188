"""Improvement plans (plan-do-check-act): an item names a practice, an owner, a due date
and a note. It is achieved only by a stored assessment that shows the practice satisfied
from evidence (detected), never by hand and never by an attestation alone: the repository's
config (or an answers file) can claim anything, so an item met only by attestation stays
open and is shown as "attested, not verified". It can be abandoned, with a reason."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from mlkaizen.errors import MLKaizenError
from mlkaizen.store.db import Store
from mlkaizen.store.snapshots import Snapshot, find_subject, subject_row
from mlkaizen.store.tables import DEFAULT_ORG_ID, PlanRow, SubjectRow

ACHIEVING_SOURCES = frozenset({"detected"})


@dataclass
class Item:
    id: int
    practice: str
    owner: str
    due: dt.date
    note: str
    created_at: dt.datetime
    status: str  # open, achieved, abandoned; "overdue" is shown for open items past due
    achieved_how: str | None
    achieved_assessment: int | None
    achieved_at: dt.datetime | None
    abandoned_reason: str | None

    def shown_status(self, today: dt.date) -> str:
        return "overdue" if self.status == "open" and self.due < today else self.status


def _item(row: PlanRow) -> Item:
    return Item(
        row.id,
        row.practice,
        row.owner,
        row.due,
        row.note,
        row.created_at,
        row.status,
        row.achieved_how,
        row.achieved_assessment_id,
        row.achieved_at,
        row.abandoned_reason,
    )


def add(
    store: Store,
    *,
    key: str,
    name: str,
    practice: str,
    owner: str,
    due: dt.date,
    note: str,
    known: set[str],
    today: dt.date,
    org_id: int = DEFAULT_ORG_ID,
) -> Item:
    if practice not in known:
        raise MLKaizenError(f"unknown practice {practice!r} (see `mlkaizen model show`)")
    if not owner.strip():
        raise MLKaizenError("--owner is empty: a plan item needs someone who owns it")
    if due < today:
        raise MLKaizenError(f"--due {due.isoformat()} is in the past (today is {today})")
    now = dt.datetime.now(dt.UTC)
    with store.session() as session:
        subject = subject_row(session, key, name, now, org_id)
        row = PlanRow(
            subject_id=subject.id,
            practice=practice,
            owner=owner.strip(),
            due=due,
            note=note,
            created_at=now,
            status="open",
        )
        session.add(row)
        session.flush()
        return _item(row)


def items(store: Store, key: str, org_id: int = DEFAULT_ORG_ID) -> list[Item]:
    with store.session() as session:
        subject = find_subject(session, key, org_id)
        if subject is None:
            return []
        rows = session.scalars(
            select(PlanRow).where(PlanRow.subject_id == subject.id).order_by(PlanRow.id)
        )
        return [_item(r) for r in rows]


def abandon(store: Store, item_id: int, reason: str, key: str | None = None,
            org_id: int = DEFAULT_ORG_ID) -> Item:
    """Abandon an open item; with ``key``, only an item of that subject (an id given in
    another repository never reaches another subject's plan)."""
    if len(reason.strip()) < 3:
        raise MLKaizenError("--reason is required to abandon a plan item (3 characters or more)")
    with store.session() as session:
        row = session.get(PlanRow, item_id)
        if row is None:
            raise MLKaizenError(f"no plan item #{item_id} (see `mlkaizen plan list`)")
        subject = find_subject(session, key, org_id) if key is not None else None
        if key is not None and (subject is None or row.subject_id != subject.id):
            owner = session.get(SubjectRow, row.subject_id)
            raise MLKaizenError(
                f"plan item #{item_id} belongs to another subject"
                + (f" ({owner.name})" if owner is not None else "")
                + "; run the command in its repository (see `mlkaizen plan list`)"
            )
        if row.status != "open":
            raise MLKaizenError(f"plan item #{item_id} is {row.status}, not open")
        row.status, row.abandoned_reason = "abandoned", reason.strip()
        return _item(row)


def how_achieved(snap: Snapshot, practice: str) -> str | None:
    """Why ``practice`` counts as achieved in ``snap``, or ``None`` when it does not (unmet,
    satisfied only by configuration: not applicable or exempt, or only attested)."""
    p = snap.practices.get(practice)
    if p is None or not p.satisfied or p.source not in ACHIEVING_SOURCES:
        return None
    where = next(
        (
            f"{e['file']}:{e['line']}" if e.get("line") else str(e["file"])
            for e in p.evidence
            if e.get("file")
        ),
        None,
    )
    return f"evidence {where}" if where else "detected"


def attested_only(snap: Snapshot, practice: str) -> str | None:
    """``attested, not verified (...)`` when ``snap`` meets ``practice`` only by an
    attestation (which never achieves a plan item), else ``None``."""
    p = snap.practices.get(practice)
    if p is None or not p.satisfied or p.source != "attested":
        return None
    claim = "attested, not verified"
    return f"{claim} ({p.attested_by})" if p.attested_by else claim


def overdue(found: list[Item], snap: Snapshot, today: dt.date) -> list[Item]:
    """The open items past their due date (an item due today is not overdue yet) that
    ``snap`` does not achieve: an item its evidence closes is done, not late."""
    return [
        i
        for i in found
        if i.shown_status(today) == "overdue" and how_achieved(snap, i.practice) is None
    ]


def check_plans(
    session: Session,
    subject_id: int,
    assessment_id: int,
    snap: Snapshot,
    *,
    now: dt.datetime,
    as_of: dt.datetime | None = None,
) -> list[tuple[int, str, str]]:
    """Close the subject's open items that this assessment achieves. ``as_of`` is when the
    assessed code is from (a replayed commit's time): an item planned after it is not
    achieved by it."""
    done: list[tuple[int, str, str]] = []
    rows = session.scalars(
        select(PlanRow).where(PlanRow.subject_id == subject_id, PlanRow.status == "open")
    )
    for row in rows:
        if as_of is not None and _utc(row.created_at) > _utc(as_of):
            continue
        how = how_achieved(snap, row.practice)
        if how is None:
            continue
        row.status = "achieved"
        row.achieved_assessment_id = assessment_id
        row.achieved_at = now
        row.achieved_how = how
        done.append((row.id, row.practice, how))
    return done


@dataclass
class Stats:
    planned: int
    achieved: int
    abandoned: int
    open: int
    overdue: int
    median_days_to_achieve: float | None
    # practice, times planned (most first): items past due or abandoned, never achieved
    never_achieved: list[tuple[str, int]]
    # practice, times planned: open items not due yet (not a failure, only not done yet)
    not_yet_due: list[tuple[str, int]] = field(default_factory=list)


def stats(store: Store, key: str | None, today: dt.date, org_id: int = DEFAULT_ORG_ID
          ) -> Stats:
    """Planned vs achieved, the median time to achieve, and the practices most often
    planned and never achieved (of one subject, or of every subject)."""
    with store.session() as session:
        query = select(PlanRow).join(SubjectRow, SubjectRow.id == PlanRow.subject_id).where(
            SubjectRow.org_id == org_id)
        if key is not None:
            subject = find_subject(session, key, org_id)
            if subject is None:
                return Stats(0, 0, 0, 0, 0, None, [])
            query = query.where(PlanRow.subject_id == subject.id)
        rows = [_item(r) for r in session.scalars(query)]
    achieved = [r for r in rows if r.status == "achieved"]
    days = [
        (_utc(r.achieved_at) - _utc(r.created_at)).total_seconds() / 86400
        for r in achieved
        if r.achieved_at is not None
    ]
    ever = {r.practice for r in achieved}
    pending = [r for r in rows if r.practice not in ever and r.status != "achieved"]
    waiting = [r for r in pending if r.status == "open" and r.due >= today]
    planned = Counter(r.practice for r in pending if r.status != "open" or r.due < today)
    return Stats(
        planned=len(rows),
        achieved=len(achieved),
        abandoned=sum(r.status == "abandoned" for r in rows),
        open=sum(r.status == "open" for r in rows),
        overdue=sum(r.shown_status(today) == "overdue" for r in rows),
        median_days_to_achieve=round(statistics.median(days), 1) if days else None,
        never_achieved=_most_first(planned),
        not_yet_due=_most_first(Counter(r.practice for r in waiting)),
    )


def _most_first(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _utc(when: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes for what was stored in UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
