"""Organisations, users, memberships, API tokens and web sessions for the server; every
subject belongs to one organisation (those stored before belong to ``default``); uploads
carry an idempotency key; answers given on the server's questionnaire.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    orgs = op.create_table(
        "organisations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    now = dt.datetime.now(dt.UTC)
    op.bulk_insert(orgs, [{"id": 1, "slug": "default", "name": "Default", "created_at": now}])
    if op.get_bind().dialect.name == "postgresql":  # the next id after the one given above
        op.execute("SELECT setval('organisations_id_seq', 1)")
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("must_change", sa.Boolean, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "memberships",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("org_id", sa.Integer, sa.ForeignKey("organisations.id"), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("org_id", sa.Integer, sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("subjects") as batch:
        batch.add_column(
            sa.Column("org_id", sa.Integer, sa.ForeignKey("organisations.id",
                      name="fk_subjects_org"), nullable=False, server_default="1")
        )
        batch.add_column(sa.Column("team", sa.String(128), nullable=True))
        batch.add_column(sa.Column("target", sa.String(64), nullable=True))
        batch.add_column(sa.Column("link_base", sa.Text, nullable=True))
    _drop_key_unique()
    with op.batch_alter_table("subjects") as batch:
        batch.create_unique_constraint("uq_subjects_org_key", ["org_id", "key"])
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(128), nullable=True))
        batch.add_column(sa.Column("uploaded_by", sa.String(128), nullable=True))
        batch.create_unique_constraint(
            "uq_assessments_idempotency", ["subject_id", "idempotency_key"]
        )
    op.create_table(
        "subject_answers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("subject_id", sa.Integer, sa.ForeignKey("subjects.id"), nullable=False),
        sa.Column("respondent", sa.String(64), nullable=False),
        sa.Column("practice", sa.String(128), nullable=False),
        sa.Column("answer", sa.String(32), nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("link", sa.Text, nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("subject_id", "respondent", "practice", name="uq_subject_answers"),
    )
    op.create_index("ix_subjects_org", "subjects", ["org_id"])
    op.create_index("ix_plan_items_subject", "plan_items", ["subject_id"])


def _drop_key_unique() -> None:
    """The unique constraint on ``subjects.key`` alone (named by the database: found, not
    assumed) gives way to one on (organisation, key)."""
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    names = [
        str(c["name"]) for c in inspector.get_unique_constraints("subjects")
        if c["column_names"] == ["key"]
    ]
    indexes = [
        str(i["name"]) for i in inspector.get_indexes("subjects")
        if i["column_names"] == ["key"] and i.get("unique")
    ]
    if bind.dialect.name == "sqlite":
        # SQLite's UNIQUE of the first revision has no name: a naming convention gives the
        # reflected one a name to drop, and the table is rebuilt without it
        convention = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
        with op.batch_alter_table("subjects", naming_convention=convention) as batch:
            batch.drop_constraint("uq_subjects_key", type_="unique")
        return
    for name in names:
        op.drop_constraint(name, "subjects", type_="unique")
    for name in indexes:
        if name in names:
            continue  # the constraint's own index, gone with it
        op.drop_index(name, table_name="subjects")


def downgrade() -> None:  # pragma: no cover - never run: a store only moves forward
    raise NotImplementedError
