"""Queries for the coordinators' overview of mentorships."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Mentorship


async def mentorship_counts(session: AsyncSession) -> dict[str, int]:
    """Status -> how many mentorships have it."""
    return dict((await session.execute(select(Mentorship.status, func.count()).group_by(Mentorship.status))).all())


async def stalled_mentorships(session: AsyncSession, since: datetime, limit: int = 20) -> list[Mentorship]:
    """Active mentorships without contact since then (or since they started), the longest silent first."""
    last = func.coalesce(Mentorship.last_contact_at, Mentorship.started_at)
    query = select(Mentorship).where(Mentorship.status == "active", last < since).order_by(last).limit(limit)
    return list((await session.execute(query)).scalars().all())
