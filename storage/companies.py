"""Queries on partner companies."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Company, MentorProfile


async def all_companies(session: AsyncSession) -> list[Company]:
    """Every partner company, by name."""
    return list((await session.execute(select(Company).order_by(Company.name))).scalars().all())


async def companies_with_mentor_counts(session: AsyncSession) -> list[tuple[Company, int]]:
    """Every partner company, by name, with the number of mentors tagged with it."""
    mentors = func.count(MentorProfile.user_id)
    query = (
        select(Company, mentors)
        .outerjoin(MentorProfile, MentorProfile.company_id == Company.id)
        .group_by(Company.id)
        .order_by(Company.name)
    )
    return list((await session.execute(query)).all())


async def company_by_code(session: AsyncSession, code: str) -> Company | None:
    """The company whose join link carries this code."""
    return (await session.execute(select(Company).where(Company.code == code))).scalar_one_or_none()
