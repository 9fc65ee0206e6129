"""data rights: erased accounts kept as anonymous records, per-woman limits, retention questions, mentor edits
awaiting review, the coordinators' audit log, the daily jobs' next run

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("limits", sa.JSON, nullable=True))
        batch.add_column(sa.Column("retention_asked_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("mentor_profiles") as batch:
        batch.add_column(sa.Column("pending_changes", sa.JSON, nullable=True))
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("coordinator_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(64), nullable=True),
        sa.Column("detail", sa.JSON, nullable=True),
    )
    op.create_table(
        "scheduled_jobs",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
    )


def _drop_columns(table: str, *columns: str) -> None:
    # On SQLite a batch drop copies the table, and dropping the old `users` would cascade through every foreign
    # key to it (mentorships, requests, ...). SQLite drops a plain column in place since 3.35.
    for column in columns:
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
        else:
            op.drop_column(table, column)


def downgrade() -> None:
    op.drop_table("scheduled_jobs")
    op.drop_table("audit_log")
    _drop_columns("mentor_profiles", "pending_changes")
    _drop_columns("users", "retention_asked_at", "limits", "erased_at")
