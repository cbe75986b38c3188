"""What an assessment was made with: its answers, use-case profile and targets.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessment_answers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("assessment_id", sa.Integer, sa.ForeignKey("assessments.id"), nullable=False),
        sa.Column("respondent", sa.String(256), nullable=False),
        sa.Column("role", sa.String(256), nullable=True),
        sa.Column("practice", sa.String(128), nullable=False),
        sa.Column("answer", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("link", sa.Text, nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("answered_on", sa.Date, nullable=True),
    )
    op.create_index("ix_assessment_answers_assessment", "assessment_answers", ["assessment_id"])
    op.create_table(
        "assessment_profiles",
        sa.Column("assessment_id", sa.Integer, sa.ForeignKey("assessments.id"), primary_key=True),
        sa.Column("field", sa.String(64), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
        sa.Column("source", sa.Text, nullable=True),
    )
    op.create_table(
        "assessment_targets",
        sa.Column("assessment_id", sa.Integer, sa.ForeignKey("assessments.id"), primary_key=True),
        sa.Column("source", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
        sa.Column("label", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("assessment_targets")
    op.drop_table("assessment_profiles")
    op.drop_index("ix_assessment_answers_assessment", "assessment_answers")
    op.drop_table("assessment_answers")
