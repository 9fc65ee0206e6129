"""The outbox: messages that are not a direct answer wait here until the sender has delivered them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import Reply, UserRef
from storage.models import Outbox

LEASE = timedelta(seconds=60)


def enqueue(session: AsyncSession, reply: Reply, now: datetime) -> None:
    assert reply.to is not None, "an outbox message names its recipient"
    session.add(
        Outbox(
            platform=reply.to.platform,
            external_id=reply.to.user_id,
            chat_id=reply.to.chat_id,
            payload=reply.as_payload(),
            created_at=now,
        )
    )


async def lease(session: AsyncSession, now: datetime, limit: int = 100) -> list[tuple[int, Reply]]:
    """Take up to `limit` unsent messages for one minute. A crashed sender's lease runs out and another takes it."""
    free = or_(Outbox.leased_until.is_(None), Outbox.leased_until < now)
    query = select(Outbox).where(Outbox.sent_at.is_(None), free).order_by(Outbox.id).limit(limit)
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    taken = []
    for row in (await session.execute(query)).scalars().all():
        claimed = await session.execute(
            update(Outbox)
            .where(Outbox.id == row.id, Outbox.sent_at.is_(None), free)
            .values(leased_until=now + LEASE, attempts=Outbox.attempts + 1)
        )
        if claimed.rowcount == 1:
            taken.append((row.id, Reply.from_payload(row.payload, UserRef(row.platform, row.external_id, row.chat_id))))
    return taken


async def mark_sent(session: AsyncSession, ids: list[int], now: datetime) -> None:
    if ids:
        await session.execute(update(Outbox).where(Outbox.id.in_(ids)).values(sent_at=now))
