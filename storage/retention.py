"""How long things are kept, and the daily job that keeps to it.

- Texts of delivered messages (relayed messages included) are emptied after `message_days`; rows that are not part
  of a broadcast go altogether (a broadcast's rows stay, empty, so its report still adds up).
- Someone who has not written for `ask_after_months` is asked whether she wants to stay; if she still has not
  written `delete_after_months` after her last message, her account is deleted as if she had sent /delete.
- Declined privacy notices, rejected mentors, guests and onboardings never finished go after `purge_days`.
- The coordinators' audit log keeps two years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, String, and_, cast, delete, exists, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.erasure import ERASED
from storage.models import Event, MentorProfile, MentorRequest, Mentorship, Outbox, Rsvp, ScheduledJob, User

EMPTY = '{"text": ""}'  # an emptied payload as stored
MOST_PER_DAY = 100  # deletions per daily run; a backlog (the first run on an old database) takes a few days


@dataclass(frozen=True)
class Retention:
    message_days: int = 30
    ask_after_months: int = 18
    delete_after_months: int = 24
    purge_days: int = 90

    @staticmethod
    def months(n: int) -> timedelta:
        return timedelta(days=round(n * 30.44))


async def claim_daily(session: AsyncSession, name: str, now: datetime) -> bool:
    """True for exactly one caller a day: the row's `due_at` moves a day on in the same statement."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    await session.execute(insert(ScheduledJob).values(name=name, due_at=now).on_conflict_do_nothing())
    claimed = await session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.name == name, ScheduledJob.due_at <= now)
        .values(due_at=now + timedelta(days=1))
    )
    return claimed.rowcount == 1


async def empty_old_messages(session: AsyncSession, policy: Retention, now: datetime) -> None:
    cutoff = now - timedelta(days=policy.message_days)
    delivered = and_(Outbox.sent_at.is_not(None), Outbox.sent_at < cutoff)
    await session.execute(delete(Outbox).where(delivered, Outbox.broadcast_id.is_(None)))
    await session.execute(
        update(Outbox).where(delivered, cast(Outbox.payload, String) != EMPTY).values(payload={"text": ""})
    )


def _not_coordinator() -> ColumnElement[bool]:
    return or_(User.role.is_(None), User.role != "coordinator")


def _history(now: datetime) -> ColumnElement[bool]:
    """A mentorship, a request or a coming event: she is asked before anything goes, never purged."""
    mine = or_(Mentorship.mentee_id == User.id, Mentorship.mentor_id == User.id)
    asked = or_(MentorRequest.mentee_id == User.id, MentorRequest.mentor_id == User.id)
    coming = (
        select(Rsvp.id).join(Event, Event.id == Rsvp.event_id).where(Rsvp.user_id == User.id, Event.starts_at > now)
    )
    return or_(exists(select(Mentorship.id).where(mine)), exists(select(MentorRequest.id).where(asked)), exists(coming))


def _living() -> list:
    return [User.erased_at.is_(None), User.platform != ERASED, User.is_demo.is_(False)]


async def to_ask(session: AsyncSession, policy: Retention, now: datetime) -> list[User]:
    """Silent for long, not asked yet: coordinators excepted (their role comes from the settings)."""
    silent = User.last_seen_at < now - policy.months(policy.ask_after_months)
    query = select(User).where(
        *_living(), silent, User.retention_asked_at.is_(None), _not_coordinator(), User.consent_at.is_not(None),
    )  # fmt: skip
    return list((await session.execute(query)).scalars().all())


async def to_delete(session: AsyncSession, policy: Retention, now: datetime) -> list[User]:
    """Asked, and still silent long enough: deleted as if she had sent /delete."""
    silent = User.last_seen_at < now - policy.months(policy.delete_after_months)
    asked_long_ago = User.retention_asked_at < now - timedelta(days=30)  # she had a month at least to answer
    query = select(User).where(
        *_living(), silent, User.retention_asked_at.is_not(None), asked_long_ago, _not_coordinator()
    )
    return list((await session.execute(query)).scalars().all())


async def to_purge(session: AsyncSession, policy: Retention, now: datetime) -> list[User]:
    """Declined the notice, rejected as a mentor, or never finished onboarding (guests too), long ago, silent
    since, and with nothing of the programme's on her (a woman with history is asked first, see `to_ask`)."""
    cutoff = now - timedelta(days=policy.purge_days)
    rejected = select(MentorProfile.user_id).where(
        MentorProfile.status == "rejected", MentorProfile.decided_at < cutoff
    )
    query = select(User).where(
        *_living(),
        _not_coordinator(),
        ~_history(now),
        User.last_seen_at < cutoff,  # whoever wrote lately is still talking to us
        or_(
            and_(User.declined_at.is_not(None), User.consent_at.is_(None), User.declined_at < cutoff),
            and_(User.onboarded_at.is_(None), User.last_seen_at < cutoff),
            User.id.in_(rejected),
        ),
    )
    return list((await session.execute(query)).scalars().all())


async def prune_audit(session: AsyncSession, now: datetime) -> None:
    await audit.prune(session, now - timedelta(days=audit.KEPT_DAYS))
