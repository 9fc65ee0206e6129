"""the inbox, and urgent outbox rows

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("update_id", sa.BigInteger, nullable=False),
        sa.Column("user_key", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("platform", "update_id"),
    )
    op.create_index("inbox_queue", "inbox", ["platform", "user_key", "id"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("urgent", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("urgent")
    op.drop_index("inbox_queue", "inbox")
    op.drop_table("inbox")
