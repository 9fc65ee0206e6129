"""The inbox: updates stored before the platform is told they arrived, taken in order per woman.

A woman's rows form a queue; only its head can be taken, and taking it locks it for the transaction that runs
her step (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several processes share the work; SQLite has one writer at
a time anyway). The step deletes the row before it commits, so the row is gone exactly when her step is saved,
and a crash before that leaves it for the next worker.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import aliased

from storage.models import InboxUpdate, Outbox


@dataclass(frozen=True)
class Stored:
    """One update as an adapter hands it over: the platform's id, whose it is, and the neutral message."""

    update_id: int
    user_key: str
    payload: dict


@dataclass(frozen=True)
class Taken:
    id: int
    payload: dict
    more: bool  # another row of hers waits behind this one


async def store(conn: AsyncConnection, platform: str, updates: Iterable[Stored], now: datetime) -> None:
    """Insert a batch; an update already waiting (delivered again) is left as it is. On a bare connection: this
    runs for every update that arrives, and needs nothing of the ORM."""
    rows = [
        {"platform": platform, "update_id": u.update_id, "user_key": u.user_key, "payload": u.payload,
         "received_at": now}
        for u in updates
    ]  # fmt: skip
    if not rows:
        return
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    await conn.execute(dialect_insert(InboxUpdate).on_conflict_do_nothing(), rows)


_EARLIER = aliased(InboxUpdate)
# No earlier row of hers waits: this row is the head of her queue. Built once, so its cache key is computed once.
IS_HEAD = ~(
    select(_EARLIER.id)
    .where(
        _EARLIER.platform == InboxUpdate.platform,
        _EARLIER.user_key == InboxUpdate.user_key,
        _EARLIER.id < InboxUpdate.id,
    )
    .exists()
)
_LATER = aliased(InboxUpdate)
HAS_MORE = (
    select(_LATER.id)
    .where(_LATER.platform == InboxUpdate.platform, _LATER.user_key == InboxUpdate.user_key, _LATER.id > InboxUpdate.id)
    .exists()
)


async def heads(session: AsyncSession, limit: int, skip: Iterable[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """Women with work waiting, oldest first: (platform, user_key). A read only; `take` decides who gets it."""
    skip = set(skip)
    query = (
        select(InboxUpdate.platform, InboxUpdate.user_key)
        .where(IS_HEAD)
        .order_by(InboxUpdate.id)
        .limit(limit + len(skip))
    )
    found = [(row.platform, row.user_key) for row in (await session.execute(query)).all()]
    return [key for key in found if key not in skip][:limit]


async def take(session: AsyncSession, platform: str, user_key: str) -> Taken | None:
    """The head of her queue, locked until this transaction ends; None if there is none or another has it."""
    query = (
        select(InboxUpdate.id, InboxUpdate.payload, HAS_MORE.label("more"))
        .where(InboxUpdate.platform == platform, InboxUpdate.user_key == user_key)
        .order_by(InboxUpdate.id)
        .limit(1)
    )
    if session.bind.dialect.name == "postgresql":
        # SKIP LOCKED: if another process holds her head, this one moves on. Her later rows are not heads,
        # so they wait for it: one woman's updates never run side by side or out of order.
        query = query.with_for_update(skip_locked=True).where(IS_HEAD)
    row = (await session.execute(query)).first()
    return Taken(row.id, row.payload, bool(row.more)) if row else None


async def done(session: AsyncSession, row_id: int) -> None:
    await session.execute(delete(InboxUpdate).where(InboxUpdate.id == row_id))


@dataclass(frozen=True)
class Backlog:
    waiting: int
    oldest_seconds: float


async def backlog(session: AsyncSession, now: datetime) -> dict[str, Backlog]:
    """What waits, for /readyz: inbox rows not yet handled, outbox rows not yet sent, with the oldest's age."""
    result = {}
    for name, table, when, open_ in (
        ("inbox", InboxUpdate, InboxUpdate.received_at, None),
        ("outbox", Outbox, Outbox.created_at, Outbox.sent_at.is_(None)),
    ):
        query = select(func.count(), func.min(when)).select_from(table)
        if open_ is not None:
            query = query.where(open_)
        count, oldest = (await session.execute(query)).one()
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=now.tzinfo)
        result[name] = Backlog(count, (now - oldest).total_seconds() if oldest else 0.0)
    return result
