"""Everything stored about one woman, gathered for her own copy (/mydata; GDPR articles 15 and 20).

Rows about her come whole, every column; rows she shares with another woman (requests, mentorships, meetings)
name the other by first name only. What another woman wrote herself (her reports, her survey answers, her
request message) and anyone else's platform ids stay out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, inspect, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AuditEntry,
    Broadcast,
    Company,
    Conversation,
    Event,
    InboxUpdate,
    Meeting,
    MeetingReport,
    MenteeProfile,
    MentorProfile,
    MentorRequest,
    Mentorship,
    Nudge,
    Outbox,
    PairNote,
    ProblemReport,
    Rsvp,
    SurveyResponse,
    User,
    WaitingMentee,
)

# Her token buckets: the bot's flood protection, nothing she told us or that tells anything about her.
INTERNAL_USER_COLUMNS = frozenset({"limits"})
# How the audit log names a woman as the subject of a coordinator's action ("user:12"); her mentorships are
# named "mentorship:<id>".
SUBJECT_KINDS = ("user", "mentee", "mentor", "coordinator")
RECENT = timedelta(days=30)


def row(obj: Any, leave_out: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Every mapped column of a row, by name."""
    return {a.key: getattr(obj, a.key) for a in inspect(obj).mapper.column_attrs if a.key not in leave_out}


async def _all(session: AsyncSession, query: Any) -> list[Any]:
    return list((await session.execute(query)).scalars().all())


async def _first_names(session: AsyncSession, ids: set[int]) -> dict[int, str | None]:
    if not ids:
        return {}
    return dict((await session.execute(select(User.id, User.first_name).where(User.id.in_(ids)))).all())


async def collect(session: AsyncSession, user: User, now: datetime) -> dict[str, Any]:
    """Her data as plain values (datetimes stay datetimes), in the order the export shows it."""
    me = user.id
    mentee = await session.get(MenteeProfile, me)
    mentor = await session.get(MentorProfile, me)
    mentor_row = row(mentor) if mentor else None
    if mentor is not None and mentor.company_id is not None:
        company = await session.get(Company, mentor.company_id)
        mentor_row["company"] = company.name if company else None

    requests = await _all(
        session,
        select(MentorRequest)
        .where(or_(MentorRequest.mentee_id == me, MentorRequest.mentor_id == me))
        .order_by(MentorRequest.created_at, MentorRequest.id),
    )
    mentorships = await _all(
        session,
        select(Mentorship)
        .where(or_(Mentorship.mentee_id == me, Mentorship.mentor_id == me))
        .order_by(Mentorship.started_at, Mentorship.id),
    )
    others = {r.mentor_id if r.mentee_id == me else r.mentee_id for r in requests}
    others |= {m.other(me) for m in mentorships}
    names = await _first_names(session, others)

    request_rows = []
    for r in requests:
        sent = r.mentee_id == me
        # A request she received carries the other woman's own words: those are hers to ask for, not this copy's.
        entry = row(r) if sent else row(r, frozenset({"message"}))
        other = r.mentor_id if sent else r.mentee_id
        request_rows.append(entry | {"direction": "sent" if sent else "received", "other_first_name": names.get(other)})
    mentorship_rows = [
        row(m) | {"my_role": "mentee" if m.mentee_id == me else "mentor", "other_first_name": names.get(m.other(me))}
        for m in mentorships
    ]
    ids = [m.id for m in mentorships]
    meetings = (
        await _all(session, select(Meeting).where(Meeting.mentorship_id.in_(ids)).order_by(Meeting.starts_at))
        if ids
        else []
    )

    answers = (
        await session.execute(
            select(Rsvp, Event.title, Event.kind, Event.starts_at)
            .join(Event, Event.id == Rsvp.event_id)
            .where(Rsvp.user_id == me)
            .order_by(Event.starts_at)
        )
    ).all()
    waiting = await session.get(WaitingMentee, me)
    conversation = await session.get(Conversation, me)
    mine = (Outbox.platform == user.platform, Outbox.external_id == user.external_id)
    messages = {
        "kept": await _count(session, Outbox, *mine),
        "last_30_days": await _count(session, Outbox, *mine, Outbox.created_at >= now - RECENT),
        "waiting_to_be_sent": await _count(session, Outbox, *mine, Outbox.sent_at.is_(None)),
        "received_not_yet_handled": await _count(
            session, InboxUpdate, InboxUpdate.platform == user.platform, InboxUpdate.user_key == user.external_id
        ),
    }
    subjects = [f"{kind}:{me}" for kind in SUBJECT_KINDS] + [f"mentorship:{m}" for m in ids]
    about_her = await _all(session, select(AuditEntry).where(AuditEntry.subject.in_(subjects)).order_by(AuditEntry.at))
    by_her = await _all(session, select(AuditEntry).where(AuditEntry.coordinator_id == me).order_by(AuditEntry.at))

    return {
        "exported_at": now,
        "account": row(user, INTERNAL_USER_COLUMNS),
        "mentee_profile": row(mentee) if mentee else None,
        "mentor_profile": mentor_row,
        "requests": request_rows,
        "mentorships": mentorship_rows,
        "meetings": [row(m) for m in meetings],
        "meeting_reports": [
            row(r)
            for r in await _all(
                session, select(MeetingReport).where(MeetingReport.reporter_id == me).order_by(MeetingReport.held_on)
            )
        ],
        "coordinator_notes_on_my_mentorships": [
            row(n, frozenset({"author_id"}))
            for n in (
                await _all(session, select(PairNote).where(PairNote.mentorship_id.in_(ids)).order_by(PairNote.id))
                if ids
                else []
            )
        ],
        "problem_reports": [
            row(r)
            for r in await _all(
                session,
                select(ProblemReport).where(ProblemReport.reporter_id == me).order_by(ProblemReport.created_at),
            )
        ],
        "survey_responses": [
            row(s)
            for s in await _all(
                session, select(SurveyResponse).where(SurveyResponse.user_id == me).order_by(SurveyResponse.created_at)
            )
        ],
        "event_answers": [
            row(rsvp) | {"event_title": title, "event_kind": kind, "event_starts_at": starts_at}
            for rsvp, title, kind, starts_at in answers
        ],
        "waiting_list": row(waiting) if waiting else None,
        "scheduled_messages": [
            row(n) for n in await _all(session, select(Nudge).where(Nudge.user_id == me).order_by(Nudge.due_at))
        ],
        "messages": messages,
        "conversation": row(conversation) if conversation else None,
        "coordinator_actions_about_her": [row(a) for a in about_her],
        # What she did as a coordinator; the details name other women, so only what and when.
        "her_actions_as_coordinator": [row(a, frozenset({"detail"})) for a in by_her if a not in about_her],
        "broadcasts_she_wrote": [
            row(b) for b in await _all(session, select(Broadcast).where(Broadcast.created_by == me))
        ],
        "events_she_created": [row(e) for e in await _all(session, select(Event).where(Event.created_by == me))],
    }


async def _count(session: AsyncSession, model: type[Any], *where: Any) -> int:
    return (await session.execute(select(func.count()).select_from(model).where(*where))).scalar_one()
