"""Queries on meeting reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import MeetingReport


async def report_of(session: AsyncSession, meeting_id: int, reporter_id: int) -> MeetingReport | None:
    """Her report of this meeting, if she has made one."""
    query = select(MeetingReport).where(
        MeetingReport.meeting_id == meeting_id, MeetingReport.reporter_id == reporter_id
    )
    return (await session.execute(query)).scalar_one_or_none()


async def other_report(session: AsyncSession, meeting_id: int, reporter_id: int) -> MeetingReport | None:
    """The other side's report of this meeting, if there is one."""
    query = select(MeetingReport).where(
        MeetingReport.meeting_id == meeting_id, MeetingReport.reporter_id != reporter_id
    )
    return (await session.execute(query)).scalar_one_or_none()


async def latest_reports(session: AsyncSession, mentorship_id: int, limit: int = 3) -> list[MeetingReport]:
    """The mentorship's most recent reports, latest meeting first."""
    query = (
        select(MeetingReport)
        .where(MeetingReport.mentorship_id == mentorship_id)
        .order_by(MeetingReport.held_on.desc())
        .limit(limit)
    )
    return list((await session.execute(query)).scalars().all())


async def meetings_since(session: AsyncSession, since: datetime) -> tuple[int, int]:
    """Meetings held since then and their minutes. Both sides may report the same meeting: it counts once, with
    the longer of the two lengths."""
    per_meeting = (
        select(func.max(MeetingReport.minutes).label("minutes"))
        .where(MeetingReport.met == "yes", MeetingReport.held_on >= since)
        .group_by(MeetingReport.mentorship_id, MeetingReport.held_on)
        .subquery()
    )
    meetings, minutes = (
        await session.execute(select(func.count(), func.coalesce(func.sum(per_meeting.c.minutes), 0)))
    ).one()
    return meetings, minutes


async def days_met(session: AsyncSession, mentorship_id: int) -> list[datetime]:
    """The distinct days on which the mentorship's reports say they met."""
    query = (
        select(MeetingReport.held_on)
        .where(MeetingReport.mentorship_id == mentorship_id, MeetingReport.met == "yes")
        .distinct()
    )
    return list((await session.execute(query)).scalars().all())
