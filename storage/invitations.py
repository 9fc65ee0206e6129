"""Coordinator invitations: found by their code, and claimed once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CoordinatorInvite


async def by_code(session: AsyncSession, code: str) -> CoordinatorInvite | None:
    return (await session.execute(select(CoordinatorInvite).where(CoordinatorInvite.code == code))).scalar_one_or_none()


async def claim(session: AsyncSession, invite_id: int, user_id: int, now: datetime) -> bool:
    """True for the one who opens it first: a conditional update, so two at once cannot both have it."""
    result = await session.execute(
        update(CoordinatorInvite)
        .where(CoordinatorInvite.id == invite_id, CoordinatorInvite.used_at.is_(None))
        .values(used_by=user_id, used_at=now)
    )
    return result.rowcount == 1
