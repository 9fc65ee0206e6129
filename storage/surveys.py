"""Queries on survey responses."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SurveyResponse


async def has_response(session: AsyncSession, mentorship_id: int, user_id: int, survey: str) -> bool:
    """True when she already has a response row for this survey of this mentorship."""
    found = await session.execute(
        select(SurveyResponse.id).where(
            SurveyResponse.mentorship_id == mentorship_id,
            SurveyResponse.user_id == user_id,
            SurveyResponse.survey == survey,
        )
    )
    return found.first() is not None


async def unfinished_responses(session: AsyncSession, mentorship_id: int, user_id: int) -> list[SurveyResponse]:
    """Her responses in this mentorship that she has not finished."""
    query = select(SurveyResponse).where(
        SurveyResponse.mentorship_id == mentorship_id,
        SurveyResponse.user_id == user_id,
        SurveyResponse.finished_at.is_(None),
    )
    return list((await session.execute(query)).scalars().all())


async def oldest_unfinished(session: AsyncSession, user_id: int) -> SurveyResponse | None:
    """The oldest response she has not finished, if any."""
    query = (
        select(SurveyResponse)
        .where(SurveyResponse.user_id == user_id, SurveyResponse.finished_at.is_(None))
        .order_by(SurveyResponse.created_at)
    )
    return (await session.execute(query)).scalars().first()
