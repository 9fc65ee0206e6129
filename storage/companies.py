"""Queries on partner companies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Company, MentorProfile, company_key


async def all_companies(session: AsyncSession) -> list[Company]:
    """Every partner company, retired ones too (their mentors keep the tag), by name."""
    return list((await session.execute(select(Company).order_by(Company.name))).scalars().all())


async def companies_with_mentor_counts(session: AsyncSession) -> list[tuple[Company, int]]:
    """The partner companies in the programme now, by name, with the number of mentors tagged with each."""
    mentors = func.count(MentorProfile.user_id)
    query = (
        select(Company, mentors)
        .outerjoin(MentorProfile, MentorProfile.company_id == Company.id)
        .where(Company.retired_at.is_(None))
        .group_by(Company.id)
        .order_by(Company.name)
    )
    return list((await session.execute(query)).all())


async def company_by_key(session: AsyncSession, name: str) -> Company | None:
    return (await session.execute(select(Company).where(Company.key == company_key(name)))).scalar_one_or_none()


async def company_by_code(session: AsyncSession, code: str) -> Company | None:
    """The company whose join link carries this code; a merged company's link leads to the one it joined."""
    company = (await session.execute(select(Company).where(Company.code == code))).scalar_one_or_none()
    seen = set()
    while company is not None and company.merged_into is not None and company.id not in seen:
        seen.add(company.id)
        company = await session.get(Company, company.merged_into)
    if company is not None and company.retired_at is not None:
        return None  # retired: the link tags nobody any more
    return company


async def merge(session: AsyncSession, source: Company, target: Company, now: datetime) -> None:
    """Her mentors move to `target`; `source` is retired and its link leads to `target`."""
    await session.execute(
        update(MentorProfile).where(MentorProfile.company_id == source.id).values(company_id=target.id)
    )
    source.merged_into, source.retired_at = target.id, now
