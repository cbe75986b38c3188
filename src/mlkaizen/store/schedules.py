"""The server's scan schedules: a manifest's text, a cron, the options its runs start with,
and the next time it fires.

A schedule's slot is taken by moving its ``next_at`` on with a conditional update (only if
it still holds the slot that was read): of two servers, or a server and Celery beat, that
tick at once, exactly one takes a slot; the other finds nothing to do. The cron itself is
read by :mod:`mlkaizen.fleet.schedule`, which hands the times in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from mlkaizen.errors import MLKaizenError
from mlkaizen.store.db import Store
from mlkaizen.store.portfolio import utc
from mlkaizen.store.tables import DEFAULT_ORG_ID, FleetScheduleRow


@dataclass
class Schedule:
    id: int
    org_id: int
    name: str
    cron: str
    manifest: str
    options: dict[str, Any]
    enabled: bool
    created_at: dt.datetime
    next_at: dt.datetime
    last_run_id: int | None


def _schedule(row: FleetScheduleRow) -> Schedule:
    created, next_at = utc(row.created_at), utc(row.next_at)
    assert created is not None and next_at is not None
    return Schedule(row.id, row.org_id, row.name, row.cron, row.manifest, dict(row.options),
                    row.enabled, created, next_at, row.last_run_id)


def add(
    store: Store,
    name: str,
    cron: str,
    manifest: str,
    options: dict[str, Any],
    *,
    next_at: dt.datetime,
    org_id: int = DEFAULT_ORG_ID,
    now: dt.datetime | None = None,
) -> Schedule:
    """A new enabled schedule; a name the organisation already uses is a one-line error."""
    try:
        with store.session() as session:
            if session.scalar(select(FleetScheduleRow.id).where(
                FleetScheduleRow.org_id == org_id, FleetScheduleRow.name == name
            )) is not None:
                raise MLKaizenError(_taken(name))
            row = FleetScheduleRow(
                org_id=org_id, name=name, cron=cron, manifest=manifest, options=options,
                enabled=True, created_at=now or dt.datetime.now(dt.UTC), next_at=next_at,
            )
            session.add(row)
            session.flush()
            return _schedule(row)
    except IntegrityError:  # pragma: no cover - another process added it in between
        raise MLKaizenError(_taken(name)) from None


def _taken(name: str) -> str:
    return (f"there is already a schedule named {name!r} (`mlkaizen fleet schedule remove "
            f"{name}` first, or choose another name)")


def schedules(store: Store, org_id: int | None = None) -> list[Schedule]:
    """Every schedule (of one organisation, if given), by name."""
    with store.session() as session:
        query = select(FleetScheduleRow).order_by(FleetScheduleRow.org_id,
                                                  FleetScheduleRow.name)
        if org_id is not None:
            query = query.where(FleetScheduleRow.org_id == org_id)
        return [_schedule(row) for row in session.scalars(query)]


def get(store: Store, name: str, org_id: int = DEFAULT_ORG_ID) -> Schedule | None:
    with store.session() as session:
        row = session.scalar(select(FleetScheduleRow).where(
            FleetScheduleRow.org_id == org_id, FleetScheduleRow.name == name))
        return _schedule(row) if row is not None else None


def remove(store: Store, name: str, org_id: int = DEFAULT_ORG_ID) -> bool:
    """Remove the schedule (its runs stay in the store); whether there was one."""
    with store.session() as session:
        gone = session.execute(delete(FleetScheduleRow).where(
            FleetScheduleRow.org_id == org_id, FleetScheduleRow.name == name))
        return bool(getattr(gone, "rowcount", 0))


def set_enabled(
    store: Store, name: str, enabled: bool, *, next_at: dt.datetime | None = None,
    org_id: int = DEFAULT_ORG_ID,
) -> bool:
    """Turn the schedule on or off; ``next_at``, when given, is its next slot (a schedule
    turned back on fires at its next slot from now, not at every slot it was off for).
    Whether there was such a schedule."""
    values: dict[str, Any] = {"enabled": enabled}
    if next_at is not None:
        values["next_at"] = next_at
    with store.session() as session:
        done = session.execute(update(FleetScheduleRow).where(
            FleetScheduleRow.org_id == org_id, FleetScheduleRow.name == name).values(**values))
        return bool(getattr(done, "rowcount", 0))


def due(store: Store, now: dt.datetime) -> list[Schedule]:
    """The enabled schedules whose slot has come (``next_at`` at or before ``now``), the
    earliest first."""
    with store.session() as session:
        rows = session.scalars(
            select(FleetScheduleRow)
            .where(FleetScheduleRow.enabled.is_(True), FleetScheduleRow.next_at <= now)
            .order_by(FleetScheduleRow.next_at, FleetScheduleRow.id)
        )
        return [_schedule(row) for row in rows]


def take_slot(store: Store, schedule_id: int, slot: dt.datetime,
              next_at: dt.datetime) -> bool:
    """Move the schedule from ``slot`` (its ``next_at`` as read) to ``next_at``, only if it
    still stands at ``slot`` and is enabled: whether this caller took the slot. Whoever
    ticks at the same time finds it moved and starts nothing."""
    with store.session() as session:
        done = session.execute(
            update(FleetScheduleRow)
            .where(FleetScheduleRow.id == schedule_id, FleetScheduleRow.next_at == slot,
                   FleetScheduleRow.enabled.is_(True))
            .values(next_at=next_at)
        )
        return getattr(done, "rowcount", 0) == 1


def mark_started(store: Store, schedule_id: int, run_id: int) -> None:
    """The run a taken slot started: the schedule's newest (the next slot waits for it)."""
    with store.session() as session:
        session.execute(update(FleetScheduleRow).where(FleetScheduleRow.id == schedule_id)
                        .values(last_run_id=run_id))
