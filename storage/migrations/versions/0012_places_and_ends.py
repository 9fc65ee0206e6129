"""where a meeting is, when an event ends, what went wrong in a mentorship

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("meetings", sa.Column("place", sa.String(length=200), nullable=True))
    op.add_column("events", sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "problem_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentorship_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["mentorship_id"], ["mentorships.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reporter_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_problem_reports_mentorship_id", "problem_reports", ["mentorship_id"])
    op.create_index("ix_problem_reports_reporter_id", "problem_reports", ["reporter_id"])


def downgrade() -> None:
    op.drop_table("problem_reports")
    # In place on SQLite (3.35+): a batch copy of `events` would cascade through its RSVPs.
    for table, column in (("events", "ends_at"), ("meetings", "place")):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
        else:
            op.drop_column(table, column)
