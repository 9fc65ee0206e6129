"""Durable nudges: each is a row with a due time. The clock's tick claims due rows and renders their messages.

No nudge goes out between 21:00 and 08:00 Copenhagen time: it waits for the morning. Someone who muted
reminders in /settings gets only the essential ones.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.kernel.messages import Reply
from storage.models import Nudge, User
from storage.nudges import claim_nudge, close_nudges, due_nudges, postpone_nudges

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
QUIET_FROM, QUIET_UNTIL = time(21, 0), time(8, 0)

# kind -> renders the messages of one due nudge (or none, when it is no longer relevant)
Render = Callable[[AsyncSession, Nudge, datetime], Awaitable[list[Reply]]]
KINDS: dict[str, Render] = {}


def kind(name: str):  # type: ignore[no-untyped-def]
    def register(fn: Render) -> Render:
        KINDS[name] = fn
        return fn

    return register


def schedule(
    session: AsyncSession,
    name: str,
    due_at: datetime,
    *,
    user_id: int | None = None,
    mentorship_id: int | None = None,
    meeting_id: int | None = None,
    event_id: int | None = None,
    essential: bool = False,
) -> None:
    assert name in KINDS, name
    session.add(
        Nudge(
            kind=name,
            user_id=user_id,
            mentorship_id=mentorship_id,
            meeting_id=meeting_id,
            event_id=event_id,
            due_at=due_at,
            essential=essential,
        )
    )


async def cancel(
    session: AsyncSession,
    now: datetime,
    *kinds: str,
    mentorship_id: int | None = None,
    meeting_id: int | None = None,
    user_id: int | None = None,
    event_id: int | None = None,
) -> None:
    """Pending nudges of these kinds for this mentorship, meeting or person are no longer wanted."""
    await close_nudges(
        session, now, kinds, user_id=user_id, mentorship_id=mentorship_id, meeting_id=meeting_id, event_id=event_id
    )


def quiet(moment: datetime) -> bool:
    local = moment.astimezone(COPENHAGEN).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def next_morning(moment: datetime) -> datetime:
    local = moment.astimezone(COPENHAGEN)
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=COPENHAGEN)


async def tick(session: AsyncSession, now: datetime, limit: int = 200) -> list[Reply]:
    rows = await due_nudges(session, now, limit)
    if rows and quiet(now):
        await postpone_nudges(session, [n.id for n in rows], next_morning(now))
        return []
    out: list[Reply] = []
    for nudge in rows:
        # Claimed by a conditional update: on SQLite, or if a row slipped past the lock, only one tick wins it.
        if not await claim_nudge(session, nudge.id, now):
            continue
        if nudge.user_id is not None and not nudge.essential:
            user = await session.get(User, nudge.user_id)
            if user is None or user.muted:
                continue
        out += await KINDS[nudge.kind](session, nudge, now)
    return out
