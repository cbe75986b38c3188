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
