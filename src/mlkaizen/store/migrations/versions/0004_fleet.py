"""Fleet runs and their jobs, the server's scan schedules, and a sub-project's repository on
its subject.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subjects") as batch:
        batch.add_column(
            sa.Column("parent_id", sa.Integer, sa.ForeignKey("subjects.id",
                      name="fk_subjects_parent"), nullable=True)
        )
    op.create_table(
        "fleet_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("org_id", sa.Integer, sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("executor", sa.String(16), nullable=False),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("problems", sa.JSON, nullable=False),
        sa.Column("controller", sa.String(256), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("driven_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped", sa.Text, nullable=True),
    )
    op.create_table(
        "fleet_jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("fleet_runs.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("entry", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("worker", sa.String(256), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seconds", sa.Float, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("commit_sha", sa.String(64), nullable=True),
        sa.Column("results", sa.JSON, nullable=True),
        sa.UniqueConstraint("run_id", "position", name="uq_fleet_jobs_position"),
    )
    op.create_index("ix_fleet_jobs_run_status", "fleet_jobs", ["run_id", "status"])
    op.create_table(
        "fleet_schedules",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("org_id", sa.Integer, sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("cron", sa.String(128), nullable=False),
        sa.Column("manifest", sa.Text, nullable=False),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_run_id", sa.Integer, sa.ForeignKey("fleet_runs.id"), nullable=True),
        sa.UniqueConstraint("org_id", "name", name="uq_fleet_schedules_name"),
    )


def downgrade() -> None:  # pragma: no cover - never run: a store only moves forward
    raise NotImplementedError
