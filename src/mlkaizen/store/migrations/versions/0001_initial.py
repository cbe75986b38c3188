"""The first schema: subjects, assessments, practice results, plan items.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subjects",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(1024), nullable=False, unique=True),
        sa.Column("name", sa.String(512), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("subject_id", sa.Integer, sa.ForeignKey("subjects.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("commit_sha", sa.String(64), nullable=True),
        sa.Column("commit_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("supersedes_id", sa.Integer, sa.ForeignKey("assessments.id"), nullable=True),
        sa.Column("stage", sa.String(64), nullable=False),
        sa.Column("stage_index", sa.Integer, nullable=False),
        sa.Column("levels", sa.JSON, nullable=False),
        sa.Column("catalogue_id", sa.String(128), nullable=False),
        sa.Column("catalogue_version", sa.String(64), nullable=False),
        sa.Column("tool_version", sa.String(64), nullable=False),
        sa.Column("report", sa.JSON, nullable=True),
    )
    op.create_index("ix_assessments_subject_created", "assessments", ["subject_id", "created_at"])
    op.create_table(
        "practice_results",
        sa.Column(
            "assessment_id", sa.Integer, sa.ForeignKey("assessments.id"), primary_key=True
        ),
        sa.Column("practice", sa.String(128), primary_key=True),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("satisfied", sa.Boolean, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("attested_by", sa.String(256), nullable=True),
    )
    op.create_table(
        "plan_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("subject_id", sa.Integer, sa.ForeignKey("subjects.id"), nullable=False),
        sa.Column("practice", sa.String(128), nullable=False),
        sa.Column("owner", sa.String(256), nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column(
            "achieved_assessment_id", sa.Integer, sa.ForeignKey("assessments.id"), nullable=True
        ),
        sa.Column("achieved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("achieved_how", sa.Text, nullable=True),
        sa.Column("abandoned_reason", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("plan_items")
    op.drop_table("practice_results")
    op.drop_index("ix_assessments_subject_created", "assessments")
    op.drop_table("assessments")
    op.drop_table("subjects")
