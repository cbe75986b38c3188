"""The tables of the store (SQLAlchemy 2 declarative). Assessments and practice results are
written once and never updated: a re-assessment of the same subject and commit supersedes
the earlier row by pointing at it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: the organisation every subject the command line stores belongs to (made by migration 0003)
DEFAULT_ORG_ID = 1
DEFAULT_ORG = "default"


class Base(DeclarativeBase):
    pass


class OrgRow(Base):
    """An organisation: every subject (and so every assessment, answer and plan) is one's."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))  # argon2id
    must_change: Mapped[bool] = mapped_column(Boolean, default=False)  # a one-time password
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class MembershipRow(Base):
    """A user's role in one organisation: viewer, assessor or admin."""

    __tablename__ = "memberships"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))


class TokenRow(Base):
    """An API token of one organisation (CI's): only its SHA-256 is kept, the secret is
    shown once. ``prefix`` (the first characters) names it in lists and logs."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(128))
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                            nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                          nullable=True)


class SessionRow(Base):
    """A signed-in browser: only the SHA-256 of the cookie's value is kept."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SubjectRow(Base):
    __tablename__ = "subjects"
    __table_args__ = (UniqueConstraint("org_id", "key", name="uq_subjects_org_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), default=DEFAULT_ORG_ID)
    key: Mapped[str] = mapped_column(String(1024))  # resolved path, or a name
    name: Mapped[str] = mapped_column(String(512))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    team: Mapped[str | None] = mapped_column(String(128), nullable=True)
    target: Mapped[str | None] = mapped_column(String(64), nullable=True)  # a stage name
    link_base: Mapped[str | None] = mapped_column(Text, nullable=True)  # the forge, from uploads
    # a sub-project's repository (a fleet stores each sub-project of a monorepo as a subject)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"), nullable=True)


class AssessmentRow(Base):
    __tablename__ = "assessments"
    __table_args__ = (
        Index("ix_assessments_subject_created", "subject_id", "created_at"),
        UniqueConstraint("subject_id", "idempotency_key", name="uq_assessments_idempotency"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    origin: Mapped[str] = mapped_column(String(16))  # "assess" or "history"
    commit_sha: Mapped[str | None] = mapped_column(String(64), nullable=True)
    commit_date: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"), nullable=True)
    stage: Mapped[str] = mapped_column(String(64))
    stage_index: Mapped[int] = mapped_column(Integer)
    levels: Mapped[dict[str, int]] = mapped_column(JSON)
    catalogue_id: Mapped[str] = mapped_column(String(128))
    catalogue_version: Mapped[str] = mapped_column(String(64))
    tool_version: Mapped[str] = mapped_column(String(64))
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # an upload's idempotency key: a retried upload of the same subject lands once
    idempotency_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    uploaded_by: Mapped[str | None] = mapped_column(String(128), nullable=True)


class PracticeRow(Base):
    __tablename__ = "practice_results"

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), primary_key=True)
    practice: Mapped[str] = mapped_column(String(128), primary_key=True)
    state: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32))
    satisfied: Mapped[bool]
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    attested_by: Mapped[str | None] = mapped_column(String(256), nullable=True)


class PlanRow(Base):
    __tablename__ = "plan_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    practice: Mapped[str] = mapped_column(String(128))
    owner: Mapped[str] = mapped_column(String(256))
    due: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))  # open, achieved, abandoned
    achieved_assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id"), nullable=True
    )
    achieved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    achieved_how: Mapped[str | None] = mapped_column(Text, nullable=True)
    abandoned_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class AnswerRow(Base):
    """A questionnaire answer an assessment used: one respondent's answer to one practice's
    question, a facilitator's decision, or an attestation from the config."""

    __tablename__ = "assessment_answers"
    __table_args__ = (Index("ix_assessment_answers_assessment", "assessment_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    respondent: Mapped[str] = mapped_column(String(256))
    role: Mapped[str | None] = mapped_column(String(256), nullable=True)
    practice: Mapped[str] = mapped_column(String(128))
    answer: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # answer, decision, attestation
    link: Mapped[str | None] = mapped_column(Text, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class ProfileRow(Base):
    """One field of the use-case profile an assessment was made with."""

    __tablename__ = "assessment_profiles"

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), primary_key=True)
    field: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)  # the profile file


class TargetRow(Base):
    """A target an assessment was judged against: the profile's target stage and levels, or
    a gate's threshold (``key`` is ``stage`` or a dimension id)."""

    __tablename__ = "assessment_targets"

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), primary_key=True)
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
    label: Mapped[str | None] = mapped_column(Text, nullable=True)


class SubjectAnswerRow(Base):
    """An answer given on the server's questionnaire: one respondent's latest answer to one
    practice's question for one subject (a new answer replaces the respondent's earlier one)."""

    __tablename__ = "subject_answers"
    __table_args__ = (
        UniqueConstraint("subject_id", "respondent", "practice", name="uq_subject_answers"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    respondent: Mapped[str] = mapped_column(String(64))  # the user's name
    practice: Mapped[str] = mapped_column(String(128))
    answer: Mapped[str] = mapped_column(String(32))  # yes, partly, no, unknown, not-applicable
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    link: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class FleetRunRow(Base):
    """One fleet run: a manifest's repositories assessed as jobs. Its state lives here, so a
    run killed at any point is finished by ``fleet scan --resume``."""

    __tablename__ = "fleet_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), default=DEFAULT_ORG_ID)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                           nullable=True)
    source: Mapped[str] = mapped_column(Text)  # the manifest file, or the schedule's name
    executor: Mapped[str] = mapped_column(String(16))  # local or celery
    options: Mapped[dict[str, Any]] = mapped_column(JSON)  # workers, retries, timeout...
    problems: Mapped[list[str]] = mapped_column(JSON)  # manifest lines refused, duplicates
    # the process driving the run (host:pid) and when it last said so
    controller: Mapped[str | None] = mapped_column(String(256), nullable=True)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                            nullable=True)
    # when its controller last took it over (the start, or the last resumption)
    driven_since: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                            nullable=True)
    stopped: Mapped[str | None] = mapped_column(Text, nullable=True)  # why it stopped early


class FleetJobRow(Base):
    """One repository (manifest entry) of a run: pending, running, done or failed."""

    __tablename__ = "fleet_jobs"
    __table_args__ = (
        UniqueConstraint("run_id", "position", name="uq_fleet_jobs_position"),
        Index("ix_fleet_jobs_run_status", "run_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("fleet_runs.id"))
    position: Mapped[int] = mapped_column(Integer)  # the entry's place in the manifest
    entry: Mapped[dict[str, Any]] = mapped_column(JSON)  # the manifest entry
    status: Mapped[str] = mapped_column(String(16))  # pending, running, done, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                          nullable=True)  # backoff
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                           nullable=True)
    worker: Mapped[str | None] = mapped_column(String(256), nullable=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                          nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                           nullable=True)
    seconds: Mapped[float | None] = mapped_column(nullable=True)  # the successful attempt's
    error: Mapped[str | None] = mapped_column(Text, nullable=True)  # the last failure
    commit_sha: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # what the job stored: [{"subject_id", "assessment_id", "key", "name", "parent",
    # "stage", "stage_index"}], the repository first
    results: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)


class FleetScheduleRow(Base):
    """Repositories the server re-assesses on a cron schedule."""

    __tablename__ = "fleet_schedules"
    __table_args__ = (UniqueConstraint("org_id", "name", name="uq_fleet_schedules_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), default=DEFAULT_ORG_ID)
    name: Mapped[str] = mapped_column(String(128))
    cron: Mapped[str] = mapped_column(String(128))  # five fields, UTC
    manifest: Mapped[str] = mapped_column(Text)  # the manifest's text (lines or YAML)
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    next_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("fleet_runs.id"), nullable=True)
