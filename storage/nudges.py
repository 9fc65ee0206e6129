"""Queries on nudges: closing them, and taking the due ones for the clock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Nudge


async def close_nudges(
    session: AsyncSession,
    now: datetime,
    kinds: Iterable[str],
    *,
    user_id: int | None = None,
    mentorship_id: int | None = None,
    meeting_id: int | None = None,
    event_id: int | None = None,
) -> None:
    """Marks the pending nudges of these kinds done, narrowed to the person, mentorship, meeting and event given."""
    query = update(Nudge).where(Nudge.kind.in_(kinds), Nudge.done_at.is_(None)).values(done_at=now)
    if user_id is not None:
        query = query.where(Nudge.user_id == user_id)
    if mentorship_id is not None:
        query = query.where(Nudge.mentorship_id == mentorship_id)
    if meeting_id is not None:
        query = query.where(Nudge.meeting_id == meeting_id)
    if event_id is not None:
        query = query.where(Nudge.event_id == event_id)
    await session.execute(query)


async def due_nudges(session: AsyncSession, now: datetime, limit: int) -> list[Nudge]:
    """Up to `limit` pending nudges due by now, earliest first; on PostgreSQL locked for this tick."""
    due = select(Nudge).where(Nudge.done_at.is_(None), Nudge.due_at <= now).order_by(Nudge.due_at).limit(limit)
    if session.bind.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)  # another process ticking now takes other rows
    return list((await session.execute(due)).scalars().all())


async def postpone_nudges(session: AsyncSession, ids: list[int], until: datetime) -> None:
    """Moves these nudges to `until`."""
    await session.execute(update(Nudge).where(Nudge.id.in_(ids)).values(due_at=until))


async def claim_nudge(session: AsyncSession, nudge_id: int, now: datetime) -> bool:
    """True when this tick marked the pending nudge done; False when another tick already had it."""
    claimed = await session.execute(
        update(Nudge).where(Nudge.id == nudge_id, Nudge.done_at.is_(None)).values(done_at=now)
    )
    return claimed.rowcount == 1
