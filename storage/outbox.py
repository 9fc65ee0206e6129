"""The outbox: every message the bot sends is a row here first, written in the transaction that decided it.

A row is leased while it is being sent and marked done after: a second sender never takes a leased row, and the
rows of a sender that died are taken again when their lease runs out. A direct answer (`urgent`) is written
already leased to the step that wrote it, which sends it right after its commit and then deletes it; only if that
process dies first does the sender take it, when the short lease has run out, ahead of everything else.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from conversations.kernel.messages import Reply, UserRef
from storage.models import Outbox, User

LEASE = timedelta(seconds=60)
DIRECT_LEASE = timedelta(seconds=15)  # how long a direct answer is left to the step that wrote it


def enqueue(session: AsyncSession, reply: Reply, now: datetime, broadcast_id: int | None = None) -> None:
    assert reply.to is not None, "an outbox message names its recipient"
    session.add(
        Outbox(
            platform=reply.to.platform,
            external_id=reply.to.user_id,
            chat_id=reply.to.chat_id,
            payload=reply.as_payload(),
            created_at=now,
            broadcast_id=broadcast_id,
        )
    )


def _rows(replies: Iterable[Reply], now: datetime, **columns: object) -> list[dict]:
    return [
        {"platform": r.to.platform, "external_id": r.to.user_id, "chat_id": r.to.chat_id, "payload": r.as_payload(),
         "created_at": now, "attempts": 0, **columns}
        for r in replies
        if r.to is not None
    ]  # fmt: skip


async def enqueue_many(
    session: AsyncSession, replies: Iterable[Reply], now: datetime, broadcast_id: int | None = None
) -> None:
    """Many rows in one statement: queueing a broadcast to thousands must not keep the coordinator waiting."""
    if rows := _rows(replies, now, broadcast_id=broadcast_id):
        await session.execute(insert(Outbox), rows)


async def enqueue_direct(session: AsyncSession, replies: list[Reply], now: datetime) -> list[int]:
    """A step's answers, leased to the step itself; returns their ids in order, for `delivered`/`release_ids`."""
    if not (rows := _rows(replies, now, attempts=1, urgent=True, leased_until=now + DIRECT_LEASE)):
        return []
    ids = (await session.execute(insert(Outbox).returning(Outbox.id, sort_by_parameter_order=True), rows)).scalars()
    return list(ids)


async def delivered(conn: AsyncConnection, ids: list[int]) -> None:
    """Direct answers that are out: nothing about them needs keeping."""
    if ids:
        await conn.execute(delete(Outbox).where(Outbox.id.in_(ids)))


async def release_ids(conn: AsyncConnection, ids: list[int]) -> None:
    """Direct answers the step could not send: the sender takes them now."""
    if ids:
        await conn.execute(update(Outbox).where(Outbox.id.in_(ids), Outbox.sent_at.is_(None)).values(leased_until=None))


async def lease(session: AsyncSession, now: datetime, limit: int = 100) -> list[tuple[int, Reply]]:
    """Take up to `limit` waiting messages for one lease. Messages to women who blocked the bot are closed
    as `blocked` without sending."""
    free = or_(Outbox.leased_until.is_(None), Outbox.leased_until < now)
    blocked = select(User.id).where(
        and_(User.platform == Outbox.platform, User.external_id == Outbox.external_id, User.blocked_at.is_not(None))
    )
    await session.execute(
        update(Outbox).where(Outbox.sent_at.is_(None), free, blocked.exists()).values(sent_at=now, outcome="blocked")
    )
    # Answers a woman is waiting for go before any broadcast.
    query = select(Outbox.id).where(Outbox.sent_at.is_(None), free).order_by(Outbox.urgent.desc(), Outbox.id)
    query = query.limit(limit)
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list((await session.execute(query)).scalars().all())
    if not ids:
        return []
    # One conditional update claims the batch; RETURNING tells which rows this sender really got.
    claimed = await session.execute(
        update(Outbox)
        .where(Outbox.id.in_(ids), Outbox.sent_at.is_(None), free)
        .values(leased_until=now + LEASE, attempts=Outbox.attempts + 1)
        .returning(Outbox.id, Outbox.platform, Outbox.external_id, Outbox.chat_id, Outbox.payload)
    )
    rank = {row_id: n for n, row_id in enumerate(ids)}
    rows = sorted(claimed.all(), key=lambda row: rank[row.id])
    return [
        (row.id, Reply.from_payload(row.payload, UserRef(row.platform, row.external_id, row.chat_id))) for row in rows
    ]


async def finish(session: AsyncSession, row_id: int, outcome: str, now: datetime) -> None:
    await session.execute(update(Outbox).where(Outbox.id == row_id).values(sent_at=now, outcome=outcome))


async def release_leases(session: AsyncSession, *, urgent: bool) -> int:
    """Free the leases of a process that is gone, so its rows go now, not when the lease runs out.

    `urgent=False`, for a sender that has just got the sender lock (storage/process_lock.py): every bulk lease is
    then a dead sender's. Direct answers are left alone: they belong to the live steps of other processes, and
    their short lease ends soon. `urgent=True`, for the poller, the one process taking updates: every direct
    answer still leased is a dead process's."""
    result = await session.execute(
        update(Outbox)
        .where(Outbox.sent_at.is_(None), Outbox.leased_until.is_not(None), Outbox.urgent.is_(urgent))
        .values(leased_until=None)
    )
    return result.rowcount or 0


async def mark_sent(session: AsyncSession, ids: list[int], now: datetime) -> None:
    if ids:
        await session.execute(update(Outbox).where(Outbox.id.in_(ids)).values(sent_at=now, outcome="sent"))
