"""Queries for a coordinator's look at one woman: finding her by name, and what she takes part in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.demo import visible_to
from storage.models import MentorRequest, Mentorship, Rsvp, User


async def by_first_name(session: AsyncSession, name: str, viewer: User, limit: int) -> list[User]:
    """Women whose first name holds `name` (case aside, `%` and `_` taken literally) that `viewer` may see."""
    pattern = "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").lower() + "%"
    query = (
        select(User)
        .where(func.lower(User.first_name).like(pattern, escape="\\"), User.erased_at.is_(None), visible_to(viewer))
        .order_by(User.first_name, User.id)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


@dataclass(frozen=True)
class Taking:
    open_requests: int
    events_answered: int
    events_attended: int
    mentorships: list[Mentorship]


async def taking_part(session: AsyncSession, user_id: int) -> Taking:
    async def count(model: type, *conditions: object) -> int:
        return (await session.execute(select(func.count()).select_from(model).where(*conditions))).scalar_one()

    mentorships = (
        await session.execute(
            select(Mentorship)
            .where(or_(Mentorship.mentee_id == user_id, Mentorship.mentor_id == user_id))
            .order_by(Mentorship.started_at.desc())
        )
    ).scalars()
    return Taking(
        open_requests=await count(
            MentorRequest,
            MentorRequest.status == "open",
            or_(MentorRequest.mentee_id == user_id, MentorRequest.mentor_id == user_id),
        ),
        events_answered=await count(Rsvp, Rsvp.user_id == user_id),
        events_attended=await count(Rsvp, Rsvp.user_id == user_id, Rsvp.attended.is_(True)),
        mentorships=list(mentorships),
    )
