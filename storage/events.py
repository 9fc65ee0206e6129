"""Queries on events and the answers to them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Event, Rsvp


async def event_by_invite(session: AsyncSession, code: str) -> Event | None:
    """The event whose guest link carries this invite code."""
    return (await session.execute(select(Event).where(Event.invite_code == code))).scalar_one_or_none()


async def rsvp_of(session: AsyncSession, event_id: int, user_id: int) -> Rsvp | None:
    """Her answer to this event, if she has given one."""
    return (
        await session.execute(select(Rsvp).where(Rsvp.event_id == event_id, Rsvp.user_id == user_id))
    ).scalar_one_or_none()
