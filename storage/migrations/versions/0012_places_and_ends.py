"""where a meeting is, when an event ends, what went wrong in a mentorship, one partner company per name,
coordinators invited by coordinators, coordinators' notes on a pair

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

    # Plain ALTERs, no batch copy: on SQLite a copy of `companies` would drop the old table and, with foreign keys
    # on, take every mentor's company tag with it.
    op.add_column("companies", sa.Column("key", sa.String(length=80), nullable=True))
    op.add_column("companies", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("companies", sa.Column("merged_into", sa.Integer(), nullable=True))
    # Names that differ only in case or spacing were registered twice: the later ones keep their rows and their
    # mentors under a key of their own, until a coordinator merges them.
    companies = sa.table(
        "companies", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("key", sa.String)
    )
    taken: set[str] = set()
    for company_id, name in op.get_bind().execute(sa.select(companies.c.id, companies.c.name).order_by(companies.c.id)):
        key = company_key(name)
        key = key if key not in taken else f"{key}#{company_id}"
        taken.add(key)
        op.get_bind().execute(companies.update().where(companies.c.id == company_id).values(key=key))
    op.create_index("uq_companies_key", "companies", ["key"], unique=True)

    op.add_column("users", sa.Column("invited_coordinator", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "pair_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentorship_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["mentorship_id"], ["mentorships.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pair_notes_mentorship_id", "pair_notes", ["mentorship_id"])
    op.create_table(
        "coordinator_invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["used_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )


def company_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def downgrade() -> None:
    op.drop_table("coordinator_invites")
    op.drop_table("pair_notes")
    op.drop_index("uq_companies_key", table_name="companies")
    op.drop_table("problem_reports")
    # In place on SQLite (3.35+): a batch copy of `events` would cascade through its RSVPs, one of `companies`
    # through the mentors' tags.
    for table, column in (
        ("users", "invited_coordinator"), ("companies", "merged_into"), ("companies", "retired_at"), ("companies", "key"),
        ("events", "ends_at"), ("meetings", "place"),
    ):  # fmt: skip
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
        else:
            op.drop_column(table, column)
