"""Who a broadcast reaches, and how far its sending has got."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.demo import visible_to
from storage.matching import LIVE
from storage.models import Broadcast, Event, MenteeProfile, MentorProfile, Mentorship, Outbox, Rsvp, User


def recipients_query(segment: dict, sender: User | None = None):  # type: ignore[no-untyped-def]
    """Women who fit every chosen filter, reachable, and who have not turned announcements off; only real women
    when a real coordinator sends."""
    query = select(User.platform, User.external_id, User.chat_id, User.locale)
    query = query.where(User.blocked_at.is_(None), User.no_announcements.is_(False), visible_to(sender))
    people = and_(User.onboarded_at.is_not(None), User.consent_at.is_not(None), User.role.in_(("mentee", "mentor")))
    if segment.get("event"):
        came = exists().where(
            Rsvp.user_id == User.id,
            Rsvp.event_id == segment["event"],
            or_(Rsvp.status == "going", Rsvp.attended.is_(True)),
        )
        query = query.where(came)
        # Guests who answered through a friend's link count as the event's people too.
        people = or_(people, and_(User.role.is_(None), User.first_name.is_not(None)))
    query = query.where(people)
    if segment.get("role"):
        query = query.where(User.role == segment["role"])
    if segment.get("lang"):
        query = query.where(User.locale == segment["lang"])
    if segment.get("region"):
        query = query.where(
            or_(
                exists().where(MenteeProfile.user_id == User.id, MenteeProfile.region == segment["region"]),
                exists().where(MentorProfile.user_id == User.id, MentorProfile.region == segment["region"]),
            )
        )
    if segment.get("company"):
        query = query.where(
            exists().where(MentorProfile.user_id == User.id, MentorProfile.company_id == segment["company"])
        )
    if segment.get("mentorship"):
        live = exists().where(
            or_(Mentorship.mentee_id == User.id, Mentorship.mentor_id == User.id), Mentorship.status.in_(LIVE)
        )
        query = query.where(live if segment["mentorship"] == "yes" else ~live)
    return query


async def count(session: AsyncSession, segment: dict, sender: User | None = None) -> int:
    query = select(func.count()).select_from(recipients_query(segment, sender).subquery())
    return (await session.execute(query)).scalar_one()


async def recipients(session: AsyncSession, segment: dict, sender: User | None = None) -> list:  # type: ignore[type-arg]
    """(platform, external_id, chat_id, locale) of everyone the segment reaches, in a stable order."""
    return list((await session.execute(recipients_query(segment, sender).order_by(User.id))).all())


async def recent_events(session: AsyncSession, now: datetime, limit: int = 10) -> list[Event]:
    """Events of the last four months and ahead, newest first: the ones whose people a broadcast may reach."""
    query = select(Event).where(Event.starts_at > now - timedelta(days=120)).order_by(Event.starts_at.desc())
    return list((await session.execute(query.limit(limit))).scalars().all())


async def due_for_progress(session: AsyncSession, now: datetime, every: timedelta) -> list[Broadcast]:
    """Broadcasts still sending whose progress was last shown at least `every` ago."""
    due = or_(Broadcast.progress_at.is_(None), Broadcast.progress_at <= now - every)
    query = select(Broadcast).where(Broadcast.finished_at.is_(None), due)
    return list((await session.execute(query)).scalars().all())


async def outcomes(session: AsyncSession, broadcast_id: int) -> dict[str | None, int]:
    """How many of its rows ended each way (None: not yet)."""
    query = select(Outbox.outcome, func.count()).where(Outbox.broadcast_id == broadcast_id).group_by(Outbox.outcome)
    return dict((await session.execute(query)).all())
