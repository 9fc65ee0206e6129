"""Queries for the coordinators' view of pairs: who is running, and what one pair has done."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.demo import visible_to
from storage.matching import LIVE
from storage.models import Meeting, Mentorship, PairNote, ProblemReport, SurveyResponse, User


async def running(session: AsyncSession, viewer: User) -> list[Mentorship]:
    """The running mentorships `viewer` may see, the longest silent first."""
    last = func.coalesce(Mentorship.last_contact_at, Mentorship.started_at)
    query = (
        select(Mentorship)
        .join(User, User.id == Mentorship.mentee_id)
        .where(Mentorship.status.in_(LIVE), visible_to(viewer))
        .order_by(last, Mentorship.id)
    )
    return list((await session.execute(query)).scalars())


async def meetings(session: AsyncSession, mentorship_id: int, now: datetime) -> tuple[int, Meeting | None]:
    """How many confirmed meetings were held, and the next confirmed one."""
    confirmed = select(Meeting).where(Meeting.mentorship_id == mentorship_id, Meeting.status == "confirmed")
    held = (await session.execute(confirmed.where(Meeting.starts_at <= now))).scalars().all()
    coming = (
        (await session.execute(confirmed.where(Meeting.starts_at > now).order_by(Meeting.starts_at))).scalars().first()
    )
    return len(held), coming


async def finished_surveys(session: AsyncSession, mentorship_id: int) -> list[tuple[int, str]]:
    """(who, which survey) for every survey of this mentorship answered to the end."""
    query = select(SurveyResponse.user_id, SurveyResponse.survey).where(
        SurveyResponse.mentorship_id == mentorship_id, SurveyResponse.finished_at.is_not(None)
    )
    return [(user_id, survey) for user_id, survey in (await session.execute(query)).all()]


async def problem_reports(session: AsyncSession, mentorship_id: int) -> list[ProblemReport]:
    query = select(ProblemReport).where(ProblemReport.mentorship_id == mentorship_id).order_by(ProblemReport.id)
    return list((await session.execute(query)).scalars())


async def notes(session: AsyncSession, mentorship_id: int) -> list[PairNote]:
    query = select(PairNote).where(PairNote.mentorship_id == mentorship_id).order_by(PairNote.id)
    return list((await session.execute(query)).scalars())
