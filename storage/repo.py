"""Queries the conversations need, in one place."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.masks import FIELD_BITS, GOAL_BITS, LANGUAGE_BITS, mask
from storage.models import Conversation, MenteeProfile, MentorProfile, ProcessedUpdate, User, utcnow

MENTEE_FIELDS = ("region", "fields", "education", "experience", "languages", "danish", "goals", "about")
MENTOR_FIELDS = (
    "job_title", "employer", "fields", "experience", "region", "languages", "meeting_modes", "helps_with",
    "capacity", "about",
)  # fmt: skip


def mentor_derived(draft: dict[str, Any]) -> dict[str, Any]:
    """The columns ranking reads, derived from her answers."""
    modes = draft.get("meeting_modes") or []
    return {
        "fields_mask": mask(draft.get("fields"), FIELD_BITS),
        "languages_mask": mask(draft.get("languages"), LANGUAGE_BITS),
        "helps_mask": mask(draft.get("helps_with"), GOAL_BITS),
        "meets_online": "online" in modes,
        "meets_in_person": "in_person" in modes,
    }


async def claim_update(session: AsyncSession, platform: str, update_id: int, now: datetime | None = None) -> bool:
    """True the first time an update id is seen. Committed with the handling, so a crash lets it run again."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(ProcessedUpdate).values(platform=platform, update_id=update_id, handled_at=now or utcnow())
    result = await session.execute(stmt.on_conflict_do_nothing())
    return result.rowcount == 1


async def prune_updates(
    session: AsyncSession, now: datetime | None = None, older_than: timedelta = timedelta(days=2)
) -> None:
    # Telegram stops redelivering after a day; keeping two is enough to recognise every duplicate.
    await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.handled_at < (now or utcnow()) - older_than))


async def user_and_conversation(
    session: AsyncSession, platform: str, external_id: str, *, lock: bool = True
) -> tuple[User | None, Conversation | None]:
    query = select(User).where(User.platform == platform, User.external_id == external_id)
    if lock:
        query = query.with_for_update()  # serialises one user's updates across processes on PostgreSQL
    user = (await session.execute(query)).scalar_one_or_none()
    if user is None:
        return None, None
    return user, await session.get(Conversation, user.id)


async def create_user(
    session: AsyncSession, platform: str, external_id: str, chat_id: str, locale: str, role: str | None
) -> tuple[User, Conversation]:
    user = User(platform=platform, external_id=external_id, chat_id=chat_id, locale=locale, role=role)
    session.add(user)
    await session.flush()
    conv = Conversation(user_id=user.id, step="language", seq=1, data={})
    session.add(conv)
    return user, conv


async def sync_coordinators(session: AsyncSession, platform: str, external_ids: Iterable[str]) -> list[int]:
    """Make the configured list the source of coordinator power on this platform, beside the coordinators that
    coordinators invited (see conversations/coordinators.py).

    Everyone listed is a coordinator. Anyone else who was one, and was not invited, loses the role: her coordinator forms are closed
    (her conversation starts over, with a new question number so her old buttons are stale) and she answers
    "who are you?" again at her next message. Returns the internal ids of those who lost it.
    """
    ids = list(external_ids)
    if ids:
        await session.execute(
            update(User).where(User.platform == platform, User.external_id.in_(ids)).values(role="coordinator")
        )
    removed = list(
        (
            await session.execute(
                select(User.id).where(
                    User.platform == platform,
                    User.role == "coordinator",
                    User.external_id.not_in(ids),
                    User.invited_coordinator.is_(False),  # brought in by a coordinator: hers to remove
                )
            )
        ).scalars()
    )
    if removed:
        await session.execute(update(User).where(User.id.in_(removed)).values(role=None, onboarded_at=None))
        await start_over(session, removed)
    return removed


async def start_over(session: AsyncSession, user_ids: list[int]) -> None:
    """Their conversations begin again, with a new question number so that their old buttons are stale."""
    await session.execute(
        update(Conversation)
        .where(Conversation.user_id.in_(user_ids))
        .values(step="language", data={}, seq=Conversation.seq + 1)
    )


async def load_profile(session: AsyncSession, user: User) -> dict[str, Any]:
    """The saved profile as a draft dict, the shape the profile questions work on."""
    draft: dict[str, Any] = {"name": user.first_name}
    if user.role == "mentee" and (p := await session.get(MenteeProfile, user.id)):
        draft |= {f: getattr(p, f) for f in MENTEE_FIELDS}
    elif user.role == "mentor" and (m := await session.get(MentorProfile, user.id)):
        draft |= {f: getattr(m, f) for f in MENTOR_FIELDS}
        draft["capacity"] = str(m.capacity)
    return draft


async def save_profile(session: AsyncSession, user: User, draft: dict[str, Any], company_id: int | None = None) -> None:
    user.first_name = draft["name"]
    if user.role == "mentee":
        values = {f: draft.get(f) for f in MENTEE_FIELDS}
        model: type[MenteeProfile] | type[MentorProfile] = MenteeProfile
    elif user.role == "mentor":
        values = {f: draft.get(f) for f in MENTOR_FIELDS} | {"capacity": int(draft["capacity"])}
        values |= mentor_derived(draft)
        values["helps_with"] = values["helps_with"] or []
        if company_id is not None:
            values["company_id"] = company_id
        model = MentorProfile
    else:
        return
    profile = await session.get(model, user.id)
    if profile is None:
        session.add(model(user_id=user.id, **values))
    else:
        for key, value in values.items():
            setattr(profile, key, value)


async def mentor_status(session: AsyncSession, user: User) -> str | None:
    profile = await session.get(MentorProfile, user.id)
    return profile.status if profile else None


async def mark_blocked(
    session: AsyncSession | AsyncConnection, platform: str, external_id: str, when: datetime | None
) -> None:
    await session.execute(
        update(User).where(User.platform == platform, User.external_id == external_id).values(blocked_at=when)
    )


async def coordinators(session: AsyncSession) -> list[User]:
    """Everyone who coordinates and has accepted the privacy notice: the recipients of cards and alerts."""
    rows = await session.execute(select(User).where(User.role == "coordinator", User.consent_at.is_not(None)))
    return list(rows.scalars().all())


async def pending_mentors(session: AsyncSession) -> list[User]:
    """Onboarded mentors waiting for approval, the longest waiting first."""
    query = (
        select(User)
        .join(MentorProfile, MentorProfile.user_id == User.id)
        .where(MentorProfile.status == "pending", User.onboarded_at.is_not(None))
        .order_by(User.onboarded_at)
    )
    return list((await session.execute(query)).scalars().all())
