"""Queries on events and the answers to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.demo import visible_to
from storage.models import Event, MenteeProfile, MentorProfile, Rsvp, User


async def event_by_invite(session: AsyncSession, code: str) -> Event | None:
    """The event whose guest link carries this invite code."""
    return (await session.execute(select(Event).where(Event.invite_code == code))).scalar_one_or_none()


async def rsvp_of(session: AsyncSession, event_id: int, user_id: int) -> Rsvp | None:
    """Her answer to this event, if she has given one."""
    return (
        await session.execute(select(Rsvp).where(Rsvp.event_id == event_id, Rsvp.user_id == user_id))
    ).scalar_one_or_none()


async def upcoming(session: AsyncSession, now: datetime, limit: int = 10, viewer: User | None = None) -> list[Event]:
    """Published events still ahead, soonest first; for a real woman, none a demo coordinator made."""
    creator = aliased(User)
    query = (
        select(Event)
        .outerjoin(creator, creator.id == Event.created_by)
        .where(Event.status == "published", Event.starts_at > now)
        .where(or_(Event.created_by.is_(None), visible_to(viewer, creator)))
        .order_by(Event.starts_at)
    )
    return list((await session.execute(query.limit(limit))).scalars().all())


async def event_by_checkin(session: AsyncSession, code: str) -> Event | None:
    """The published event whose check-in code this is."""
    query = select(Event).where(Event.checkin_code == code, Event.status == "published")
    return (await session.execute(query)).scalar_one_or_none()


async def rsvps(session: AsyncSession, event_id: int) -> list[Rsvp]:
    """Every answer to this event."""
    return list((await session.execute(select(Rsvp).where(Rsvp.event_id == event_id))).scalars().all())


async def answers_with_people(
    session: AsyncSession, event_id: int, statuses: tuple[str, ...] = ("going", "maybe", "waitlist")
) -> list[tuple[Rsvp, User]]:
    """The answers with these statuses, each with the woman who gave it."""
    query = (
        select(Rsvp, User)
        .join(User, User.id == Rsvp.user_id)
        .where(Rsvp.event_id == event_id, Rsvp.status.in_(statuses))
    )
    return [(rsvp, user) for rsvp, user in (await session.execute(query)).all()]


async def coming_answers_of(session: AsyncSession, user_id: int, now: datetime) -> list[tuple[Rsvp, Event]]:
    """Her answers to events still ahead: the places she would give up if she left."""
    query = (
        select(Rsvp, Event)
        .join(Event, Event.id == Rsvp.event_id)
        .where(Rsvp.user_id == user_id, Event.starts_at > now, Event.status == "published")
    )
    return [(rsvp, event) for rsvp, event in (await session.execute(query)).all()]


async def going_count(session: AsyncSession, event_id: int) -> int:
    query = select(func.count()).where(Rsvp.event_id == event_id, Rsvp.status == "going")
    return (await session.execute(query)).scalar_one()


async def waitlist(session: AsyncSession, event_id: int) -> list[Rsvp]:
    """The waitlist in the order they answered."""
    query = select(Rsvp).where(Rsvp.event_id == event_id, Rsvp.status == "waitlist").order_by(Rsvp.answered_at, Rsvp.id)
    return list((await session.execute(query)).scalars().all())


async def set_invite_code_once(session: AsyncSession, event: Event, code: str) -> None:
    """Give an event from before guest links its code; the first to ask sets it, once."""
    await session.execute(
        update(Event).where(Event.id == event.id, Event.invite_code.is_(None)).values(invite_code=code)
    )
    await session.refresh(event, ["invite_code"])


async def audience(session: AsyncSession, event: Event) -> list[User]:
    """Who is invited: onboarded women of the event's audience (and place) who take announcements; only real
    women when a real coordinator made it."""
    creator = await session.get(User, event.created_by) if event.created_by is not None else None
    query = select(User).where(
        visible_to(creator),
        User.onboarded_at.is_not(None),
        User.consent_at.is_not(None),
        User.blocked_at.is_(None),
        User.no_announcements.is_(False),
    )
    roles = ("mentee", "mentor") if event.audience == "all" else (event.audience,)
    users = list((await session.execute(query.where(User.role.in_(roles)))).scalars().all())
    if event.region:
        mentee_regions = dict((await session.execute(select(MenteeProfile.user_id, MenteeProfile.region))).all())
        mentor_regions = dict((await session.execute(select(MentorProfile.user_id, MentorProfile.region))).all())
        users = [u for u in users if (mentee_regions.get(u.id) or mentor_regions.get(u.id)) in (event.region, "online")]
    return users
