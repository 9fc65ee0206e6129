"""conversation rows as a frame stack

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.conversation_upgrade import is_current
from storage.conversation_upgrade import upgrade as to_stack

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

conversations = sa.table(
    "conversations",
    sa.column("user_id", sa.Integer),
    sa.column("step", sa.String),
    sa.column("data", sa.JSON),
)


def upgrade() -> None:
    """Each row's ways back (`meet_return`, ...) become frames holding their own drafts; `step` names the top."""
    conn = op.get_bind()
    rows = conn.execute(sa.select(conversations.c.user_id, conversations.c.step, conversations.c.data)).all()
    for user_id, step, data in rows:
        if is_current(data):
            continue
        new = to_stack(step, data)
        conn.execute(
            conversations.update()
            .where(conversations.c.user_id == user_id)
            .values(step=new["stack"][-1]["step"], data=new)
        )


def downgrade() -> None:
    """Back to one way back per detour is not possible without losing drafts: every row returns to its main
    flow step, keeping that step's answers."""
    conn = op.get_bind()
    rows = conn.execute(sa.select(conversations.c.user_id, conversations.c.data)).all()
    for user_id, data in rows:
        if not is_current(data):
            continue
        root = data["stack"][0]
        old = {k: v for k, v in data.items() if k != "stack"} | root["data"]
        conn.execute(
            conversations.update().where(conversations.c.user_id == user_id).values(step=root["step"], data=old)
        )
