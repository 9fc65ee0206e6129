"""Clearly marked demo data for the console: a few approved mentors and one coordinator."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation, MentorProfile, User, utcnow
from storage.repo import mentor_derived

PLATFORM = "console"
COORDINATOR_ID = "coordinator-1"

MENTORS = [
    ("mentor-1", "Mette (demo)", "da", ["it"], "Software developer", "Demo Bank A/S", "cph", ["da", "en"], 2),
    ("mentor-2", "Layla (demo)", "ar", ["health"], "Nurse", "Demo Hospital", "aarhus", ["da", "ar", "en"], 1),
    ("mentor-3", "Olena (demo)", "uk", ["finance"], "Accountant", "Demo Revision", "funen", ["da", "uk", "en"], 3),
]


async def seed(session: AsyncSession) -> bool:
    """Adds the demo users once; returns False when they are already there."""
    if (await session.execute(select(User.id).where(User.is_demo).limit(1))).first():
        return False
    for external_id, name, locale, fields, title, employer, region, languages, capacity in MENTORS:
        user = _user(external_id, name, locale, "mentor")
        session.add(user)
        await session.flush()
        answers = {
            "fields": fields,
            "languages": languages,
            "meeting_modes": ["in_person", "online"],
            "helps_with": ["market", "cv", "interview", "network"],
        }
        session.add(
            MentorProfile(
                user_id=user.id,
                job_title=title,
                employer=employer,
                experience="6",
                region=region,
                capacity=capacity,
                about="Demo profile for trying the bot.",
                status="approved",
                **answers,
                **mentor_derived(answers),
            )
        )
        session.add(Conversation(user_id=user.id, step="idle", seq=1, data={}))
    coordinator = _user(COORDINATOR_ID, "Karen (demo)", "da", "coordinator")
    session.add(coordinator)
    await session.flush()
    session.add(Conversation(user_id=coordinator.id, step="idle", seq=1, data={}))
    return True


def _user(external_id: str, name: str, locale: str, role: str) -> User:
    now = utcnow()
    return User(
        platform=PLATFORM,
        external_id=external_id,
        chat_id=external_id,
        locale=locale,
        role=role,
        first_name=name,
        consent_version=1,
        consent_at=now,
        onboarded_at=now,
        is_demo=True,
    )
