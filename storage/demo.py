"""Clearly marked demo data for the console: a few approved mentors and one coordinator.

Demo rows and the console's own users live apart from real women: the console refuses a database that holds real
users, and every list of people shown to a real woman (mentor cards, waiting lists, coordinators, audiences)
leaves demo and console users out, so a demo row left in a real database can never be seen or reached.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, inspect, select, true
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.util import AliasedClass

from storage.models import Conversation, MentorProfile, User, utcnow
from storage.repo import mentor_derived

PLATFORM = "console"
COORDINATOR_ID = "coordinator-1"

MENTORS = [
    ("mentor-1", "Mette (demo)", "da", ["it"], "Software developer", "Demo Bank A/S", "cph", ["da", "en"], 2),
    ("mentor-2", "Layla (demo)", "ar", ["health"], "Nurse", "Demo Hospital", "aarhus", ["da", "ar", "en"], 1),
    ("mentor-3", "Olena (demo)", "uk", ["finance"], "Accountant", "Demo Revision", "funen", ["da", "uk", "en"], 3),
]


class RealUsersPresent(Exception):
    """The database holds real users: no demo data goes there."""


def is_real(user: User) -> bool:
    """A woman on a real messenger: neither a demo row nor someone typing in the console."""
    return not user.is_demo and user.platform != PLATFORM


def real(user: type[User] | AliasedClass[User] = User) -> ColumnElement[bool]:
    """`is_real` in SQL, for `user` (the User entity of a query, or an alias of it)."""
    return and_(user.is_demo.is_(False), user.platform != PLATFORM)


def visible_to(viewer: User | None, shown: type[User] | AliasedClass[User] = User) -> ColumnElement[bool]:
    """The people (`shown`) a list made for `viewer` may hold: only real ones for a real woman; everyone for a
    demo or console user and for work nobody asked for (None)."""
    return real(shown) if viewer is not None and is_real(viewer) else true()


def visible_to_id(viewer_id: int, shown: type[User] | AliasedClass[User] = User) -> ColumnElement[bool]:
    """`visible_to` when only the viewer's id is at hand: one uncorrelated subquery, computed once per query."""
    viewer = aliased(User)
    return real(shown) | ~select(viewer.id).where(viewer.id == viewer_id, real(viewer)).exists()


def can_see(viewer: User, shown: User) -> bool:
    """`visible_to` for one person: a button aimed at someone she may not see is refused as unknown."""
    return is_real(shown) or not is_real(viewer)


async def holds_real_users(db: AsyncEngine) -> bool:
    """True when the database has a user who is neither demo nor console: demo data must never go there.
    Asked before migrating, so a database of another kind is not changed at all; no tables yet means no users."""

    def has_users(conn: Connection) -> bool:
        return inspect(conn).has_table(User.__tablename__)

    async with db.connect() as conn:
        if not await conn.run_sync(has_users):
            return False
        return (await conn.execute(select(User.id).where(real()).limit(1))).first() is not None


async def seed(session: AsyncSession) -> bool:
    """Adds the demo users once; returns False when they are already there. Raises RealUsersPresent (and adds
    nothing) where real women are."""
    if (await session.execute(select(User.id).where(real()).limit(1))).first():
        raise RealUsersPresent
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
