"""An approved mentor's changes to the words mentees read as hers, waiting for a coordinator.

Her job title, employer and introduction are free text on her card. Once a coordinator has approved her, a change
to them waits in `MentorProfile.pending_changes` ({field: new value}) and the columns keep the approved text, so
mentees never read what no coordinator has read. A later change to the same field replaces the waiting one.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import MentorProfile, User

REVIEWED = ("job_title", "employer", "about")
# Mentees see an approved mentor, and a paused one again when she resumes; a pending one is vetted as a whole.
REVIEWED_STATUSES = ("approved", "paused")


async def locked(session: AsyncSession, user_id: int) -> MentorProfile | None:
    """Her profile, locked: her edit and a coordinator's decision on it must not overwrite each other."""
    return await session.get(MentorProfile, user_id, with_for_update=True)


def under_review(profile: MentorProfile | None) -> bool:
    return profile is not None and profile.status in REVIEWED_STATUSES


def waiting(profile: MentorProfile) -> dict[str, Any]:
    # A decided change is stored as JSON null, which reads back as None like a column never set.
    return {k: v for k, v in (profile.pending_changes or {}).items() if k in REVIEWED}


def propose(profile: MentorProfile, key: str, value: Any) -> bool:
    """Let `value` wait for review, or drop what waits when she has put the approved value back.
    True when what waits has changed."""
    before = waiting(profile)
    changes = {k: v for k, v in before.items() if k != key}
    if value != getattr(profile, key):
        changes[key] = value
    if changes == before:
        return False
    profile.pending_changes = changes or None
    return True


def fingerprint(changes: dict[str, Any]) -> str:
    """Short and stable for the same values: a decision applies only to exactly what the coordinator was shown."""
    # Starts with a letter: an all-digit part of a button is read as an id, and one this long would be refused.
    return "f" + hashlib.sha256(json.dumps(changes, sort_keys=True).encode()).hexdigest()[:11]


def approve(profile: MentorProfile) -> None:
    for key, value in waiting(profile).items():
        setattr(profile, key, value)
    profile.pending_changes = None


def reject(profile: MentorProfile) -> None:
    profile.pending_changes = None


async def mentors_with_changes(session: AsyncSession) -> list[tuple[User, MentorProfile]]:
    """Mentors whose changes wait for a coordinator, the profile least recently updated first."""
    query = (
        select(User, MentorProfile)
        .join(MentorProfile, MentorProfile.user_id == User.id)
        .where(MentorProfile.pending_changes.is_not(None), User.erased_at.is_(None))
        .order_by(MentorProfile.updated_at)
    )
    rows = (await session.execute(query)).all()
    return [(user, profile) for user, profile in rows if waiting(profile)]
