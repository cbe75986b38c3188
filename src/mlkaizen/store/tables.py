"""The tables of the store (SQLAlchemy 2 declarative). Assessments and practice results are
written once and never updated: a re-assessment of the same subject and commit supersedes
the earlier row by pointing at it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class SubjectRow(Base):
    __tablename__ = "subjects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(1024), unique=True)  # resolved path, or a name
    name: Mapped[str] = mapped_column(String(512))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AssessmentRow(Base):
    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_subject_created", "subject_id", "created_at"),)

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
