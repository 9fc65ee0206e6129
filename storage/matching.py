"""Queries for matching: ranking mentors in SQL, requests, and the capacity counter that admits one per place."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.demo import visible_to, visible_to_id
from storage.masks import FIELD_BITS, GOAL_BITS, LANGUAGE_BITS, bits, mask
from storage.models import MenteeProfile, MentorProfile, MentorRequest, Mentorship, User, WaitingMentee

REQUEST_DAYS = 14
OPEN_REQUESTS_MAX = 3
LIVE = ("active", "paused")  # mentorship states that hold a place


@dataclass(frozen=True)
class Filters:
    field: str | None = None
    place: str | None = None  # a region code, or "online"
    language: str | None = None
    partners: bool = False

    @classmethod
    def from_data(cls, data: dict | None) -> Filters:
        return cls(**(data or {}))

    def as_data(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass
class Candidate:
    mentor: MentorProfile
    user: User
    score: float
    shared: dict[str, list[str]] = field(default_factory=dict)


def _has(column: ColumnElement[int], bit: int) -> ColumnElement[bool]:
    return column.op("&")(literal(1 << bit)) != 0


def score_expression(mentee: MenteeProfile, now: datetime) -> ColumnElement[float]:
    """Field overlap weighs most, then place, goals against what she can help with, languages, room, activity."""
    mp = MentorProfile
    terms: list[ColumnElement[float]] = []
    terms += [case((_has(mp.fields_mask, b), 3.0), else_=0.0) for b in bits(mentee.fields, FIELD_BITS)]
    terms += [case((_has(mp.helps_mask, b), 1.0), else_=0.0) for b in bits(mentee.goals, GOAL_BITS)]
    terms += [case((_has(mp.languages_mask, b), 0.5), else_=0.0) for b in bits(mentee.languages, LANGUAGE_BITS)]
    if mentee.region == "online":
        terms.append(case((mp.meets_online, 2.0), else_=0.0))
    else:
        terms.append(
            case((and_(mp.region == mentee.region, mp.meets_in_person), 2.0), (mp.meets_online, 1.0), else_=0.0)
        )
    terms.append((mp.capacity - mp.active_count) * 0.25)
    terms.append(
        case(
            (User.last_seen_at >= now - timedelta(days=14), 1.0),
            (User.last_seen_at >= now - timedelta(days=60), 0.5),
            else_=0.0,
        )
    )
    total: ColumnElement[float] = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def available(mentee_id: int) -> list[ColumnElement[bool]]:
    """Approved, not paused, with a free place, not someone she has already asked or who declined her, and not a
    demo mentor when she is a real woman. The query joins the mentor's User row."""
    mp = MentorProfile
    # Uncorrelated subqueries: computed once per query, not once per mentor row.
    asked = select(MentorRequest.mentor_id).where(
        MentorRequest.mentee_id == mentee_id, MentorRequest.status.in_(("open", "declined"))
    )
    paired = select(Mentorship.mentor_id).where(Mentorship.mentee_id == mentee_id, Mentorship.status.in_(LIVE))
    return [
        mp.status == "approved",
        mp.active_count < mp.capacity,
        mp.user_id != mentee_id,
        mp.user_id.not_in(asked),
        mp.user_id.not_in(paired),
        visible_to_id(mentee_id),
    ]


async def rank(
    session: AsyncSession, mentee: MenteeProfile, now: datetime, filters: Filters = Filters(), limit: int = 50
) -> list[int]:
    """The best `limit` mentors for her, best first.

    Shared fields weigh most, so mentors who share one are ranked first, in a query that scores only them.
    When even the last of that top list beats the best score a mentor without a shared field could reach, the
    list is exact and the full ranking is skipped; otherwise every available mentor is scored.
    """
    mp = MentorProfile
    conditions = [*available(mentee.user_id), mp.languages_mask.op("&")(mask(mentee.languages, LANGUAGE_BITS)) != 0]
    if filters.field:
        conditions.append(_has(mp.fields_mask, FIELD_BITS[filters.field]))
    if filters.language:
        conditions.append(_has(mp.languages_mask, LANGUAGE_BITS[filters.language]))
    if filters.place == "online":
        conditions.append(mp.meets_online)
    elif filters.place:
        conditions.append(and_(mp.region == filters.place, mp.meets_in_person))
    if filters.partners:
        conditions.append(mp.company_id.is_not(None))
    score = score_expression(mentee, now).label("score")
    query = (
        select(mp.user_id, score)
        .join(User, User.id == mp.user_id)
        .where(*conditions, User.blocked_at.is_(None))
        .order_by(score.desc(), mp.user_id)
        .limit(limit)
    )
    fields = mask(mentee.fields, FIELD_BITS)
    if fields:
        sharing = (await session.execute(query.where(mp.fields_mask.op("&")(fields) != 0))).all()
        if len(sharing) == limit and sharing[-1].score > best_without_shared_field(mentee):
            return [row.user_id for row in sharing]
    return [row.user_id for row in (await session.execute(query)).all()]


def best_without_shared_field(mentee: MenteeProfile) -> float:
    """The highest score a mentor who shares none of her fields can reach (see score_expression)."""
    return 2.0 + len(bits(mentee.goals, GOAL_BITS)) + 0.5 * len(bits(mentee.languages, LANGUAGE_BITS)) + 0.75 + 1.0


async def is_available(session: AsyncSession, mentee_id: int, mentor_id: int) -> bool:
    query = (
        select(MentorProfile.user_id)
        .join(User, User.id == MentorProfile.user_id)
        .where(MentorProfile.user_id == mentor_id, *available(mentee_id))
    )
    return (await session.execute(query)).first() is not None


async def available_mentors(
    session: AsyncSession, mentee: MenteeProfile, now: datetime, limit: int = 10
) -> list[tuple[MentorProfile, User]]:
    """The best `limit` mentors available to her, whatever their languages, best first."""
    query = (
        select(MentorProfile, User)
        .join(User, User.id == MentorProfile.user_id)
        .where(*available(mentee.user_id))
        .order_by(score_expression(mentee, now).desc())
        .limit(limit)
    )
    return list((await session.execute(query)).all())


# -- requests ----------------------------------------------------------------------------------------------


async def open_request_count(session: AsyncSession, mentee_id: int) -> int:
    query = select(func.count()).where(MentorRequest.mentee_id == mentee_id, MentorRequest.status == "open")
    return (await session.execute(query)).scalar_one()


async def create_request(
    session: AsyncSession, mentee_id: int, mentor_id: int, message: str | None, now: datetime
) -> MentorRequest:
    request = MentorRequest(
        mentee_id=mentee_id,
        mentor_id=mentor_id,
        message=message,
        status="open",
        created_at=now,
        expires_at=now + timedelta(days=REQUEST_DAYS),
    )
    session.add(request)
    await session.flush()
    return request


async def close_request(
    session: AsyncSession, request_id: int, status: str, now: datetime, reason: str | None = None
) -> bool:
    """Moves an open request on; False when someone or something else already closed it."""
    result = await session.execute(
        update(MentorRequest)
        .where(MentorRequest.id == request_id, MentorRequest.status == "open")
        .values(status=status, reason=reason, decided_at=now)
    )
    return result.rowcount == 1


async def open_requests_of(session: AsyncSession, user_id: int) -> list[MentorRequest]:
    """Open requests she sent or received."""
    query = select(MentorRequest).where(
        or_(MentorRequest.mentee_id == user_id, MentorRequest.mentor_id == user_id), MentorRequest.status == "open"
    )
    return list((await session.execute(query.order_by(MentorRequest.id))).scalars().all())


async def take_place(session: AsyncSession, mentor_id: int) -> bool:
    """One atomic statement: of two accepts racing for the last place, exactly one sees a row updated."""
    result = await session.execute(
        update(MentorProfile)
        .where(MentorProfile.user_id == mentor_id, MentorProfile.active_count < MentorProfile.capacity)
        .values(active_count=MentorProfile.active_count + 1)
    )
    return result.rowcount == 1


async def free_place(session: AsyncSession, mentor_id: int) -> None:
    await session.execute(
        update(MentorProfile)
        .where(MentorProfile.user_id == mentor_id, MentorProfile.active_count > 0)
        .values(active_count=MentorProfile.active_count - 1)
    )


async def requests_to_remind(
    session: AsyncSession, column: InstrumentedAttribute[datetime | None], days: int, now: datetime
) -> list[int]:
    """Open requests at least `days` old whose reminder in `column` has not gone out."""
    due = select(MentorRequest.id).where(
        MentorRequest.status == "open", column.is_(None), MentorRequest.created_at <= now - timedelta(days=days)
    )
    return list((await session.execute(due)).scalars().all())


async def claim_reminder(
    session: AsyncSession, request_id: int, column: InstrumentedAttribute[datetime | None], now: datetime
) -> bool:
    """Stamps the reminder in `column`; False when another process already has."""
    claimed = await session.execute(
        update(MentorRequest).where(MentorRequest.id == request_id, column.is_(None)).values({column: now})
    )
    return claimed.rowcount == 1


async def expired_requests(session: AsyncSession, now: datetime) -> list[int]:
    """Open requests whose time has run out."""
    expired = select(MentorRequest.id).where(MentorRequest.status == "open", MentorRequest.expires_at <= now)
    return list((await session.execute(expired)).scalars().all())


async def accept(session: AsyncSession, request_id: int, now: datetime) -> Mentorship | None:
    """Start the mentorship of an open request if the mentor still has room; None if not (request withdrawn)."""
    request = await session.get(MentorRequest, request_id)
    if request is None or request.status != "open":
        return None
    # Her row is locked by her own steps, /delete among them: waiting for it here means an accept can never slip in
    # between her leaving and her requests closing, and a woman who has left is never matched.
    mentee = await session.execute(select(User.erased_at).where(User.id == request.mentee_id).with_for_update())
    if (row := mentee.first()) is None or row.erased_at is not None:
        return None
    await session.refresh(request)
    if request.status != "open":
        return None
    if not await take_place(session, request.mentor_id):
        await close_request(session, request_id, "withdrawn", now, reason="full")
        return None
    if not await close_request(session, request_id, "accepted", now):
        await free_place(session, request.mentor_id)
        return None
    mentorship = Mentorship(
        mentee_id=request.mentee_id, mentor_id=request.mentor_id, request_id=request_id, started_at=now
    )
    session.add(mentorship)
    await session.flush()
    return mentorship


async def withdraw_others(session: AsyncSession, mentee_id: int, now: datetime) -> list[MentorRequest]:
    """Her other open requests, withdrawn because she has found her mentor."""
    query = select(MentorRequest).where(MentorRequest.mentee_id == mentee_id, MentorRequest.status == "open")
    withdrawn = []
    for request in (await session.execute(query)).scalars().all():
        if await close_request(session, request.id, "withdrawn", now, reason="matched"):
            withdrawn.append(request)
    return withdrawn


async def live_mentorships(session: AsyncSession, user_id: int) -> list[Mentorship]:
    query = (
        select(Mentorship)
        .where(or_(Mentorship.mentee_id == user_id, Mentorship.mentor_id == user_id), Mentorship.status.in_(LIVE))
        .order_by(Mentorship.started_at)
    )
    return list((await session.execute(query)).scalars().all())


async def end_mentorship(
    session: AsyncSession, mentorship: Mentorship, status: str, now: datetime, by: int | None, reason: str | None
) -> bool:
    result = await session.execute(
        update(Mentorship)
        .where(Mentorship.id == mentorship.id, Mentorship.status.in_(LIVE))
        .values(status=status, ended_at=now, ended_by=by, end_reason=reason)
    )
    if result.rowcount != 1:
        return False
    await free_place(session, mentorship.mentor_id)
    await session.refresh(mentorship)
    return True


# -- waiting list ------------------------------------------------------------------------------------------


async def join_waiting_list(session: AsyncSession, mentee_id: int, now: datetime) -> int:
    """Adds her once; returns her position."""
    entry = await session.get(WaitingMentee, mentee_id)
    if entry is None:
        entry = WaitingMentee(mentee_id=mentee_id, since=now)
        session.add(entry)
        await session.flush()
    earlier = select(func.count()).where(WaitingMentee.since < entry.since)
    return (await session.execute(earlier)).scalar_one() + 1


async def leave_waiting_list(session: AsyncSession, mentee_id: int) -> None:
    entry = await session.get(WaitingMentee, mentee_id)
    if entry is not None:
        await session.delete(entry)


async def waiting_list(session: AsyncSession, viewer: User | None = None) -> list[tuple[User, datetime]]:
    """Everyone on the waiting list `viewer` may see, with the time she joined it, the longest waiting first."""
    query = (
        select(User, WaitingMentee.since)
        .join(WaitingMentee, WaitingMentee.mentee_id == User.id)
        .where(visible_to(viewer))
        .order_by(WaitingMentee.since)
    )
    return list((await session.execute(query)).all())


async def waiting_for(session: AsyncSession, mentor_id: int) -> list[int]:
    """Waiting mentees, oldest first, for whom this mentor is now available and shares a language."""
    mentor = await session.get(MentorProfile, mentor_id)
    if mentor is None:
        return []
    rows = await session.execute(
        select(MenteeProfile)
        .join(WaitingMentee, WaitingMentee.mentee_id == MenteeProfile.user_id)
        .order_by(WaitingMentee.since)
    )
    fitting = []
    for mentee in rows.scalars().all():
        if mask(mentee.languages, LANGUAGE_BITS) & mentor.languages_mask and await is_available(
            session, mentee.user_id, mentor_id
        ):
            fitting.append(mentee.user_id)
    return fitting
