"""Deleting a woman's account so that it wrongs no one.

What names her goes from every table: her name, her platform ids, her texts (request messages, meeting notes, the
introduction in her profile, every message we sent her). What the programme and the other women own stays: her
mentorships with their dates and status, her survey answers, the reports the other woman wrote, her attendance at
past events. They stay attached to an anonymous row (`users.erased_at` set, platform "erased"), so the numbers in
/stats never go backwards and nobody's own records disappear because someone else left.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, cast, delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from storage.models import (
    Broadcast,
    Conversation,
    Event,
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
    User,
    WaitingMentee,
)

ERASED = "erased"  # the platform of an anonymous row: no adapter sends there


async def has_history(session: AsyncSession, user_id: int) -> bool:
    """Whether the programme's records hang on her: a mentorship, a request, or attendance at an event."""
    for query in (
        select(Mentorship.id).where(or_(Mentorship.mentee_id == user_id, Mentorship.mentor_id == user_id)),
        select(MentorRequest.id).where(or_(MentorRequest.mentee_id == user_id, MentorRequest.mentor_id == user_id)),
        select(Rsvp.id).where(Rsvp.user_id == user_id, Rsvp.attended.is_(True)),
    ):
        if (await session.execute(select(exists(query)))).scalar():
            return True
    return False


def _mentions(name: str | None) -> list[str]:
    """How her name can appear inside a stored message: as typed, HTML-escaped, and JSON-escaped either way."""
    if not name or len(name) < 3:  # a shorter needle would match half of every text
        return []
    forms = {name, html.escape(name, quote=False)}
    return sorted(forms | {json.dumps(form)[1:-1] for form in forms})


async def scrub_outbox(session: AsyncSession, user: User, now: datetime) -> None:
    """Messages to her are closed and emptied, and her ids leave them; delivered messages to others that carry her
    name are emptied (their text is not needed once delivered)."""
    mine = and_(Outbox.platform == user.platform, Outbox.external_id == user.external_id)
    await session.execute(
        update(Outbox).where(mine, Outbox.sent_at.is_(None)).values(sent_at=now, outcome="failed", leased_until=None)
    )
    anonymous = f"{ERASED}-{user.id}"
    await session.execute(update(Outbox).where(mine).values(payload={"text": ""}, external_id=anonymous, chat_id=""))
    needles = _mentions(user.first_name)
    if needles:
        text = cast(Outbox.payload, String)
        named = or_(*(text.contains(needle, autoescape=True) for needle in needles))
        await session.execute(update(Outbox).where(named, Outbox.sent_at.is_not(None)).values(payload={"text": ""}))
        # Not yet sent and naming her: not sent at all. Checked word by word here, as a database's LIKE would take
        # "Ann" in "Planning" for her; a broadcast's own text is the coordinator's, not about her.
        waiting = select(Outbox).where(named, Outbox.sent_at.is_(None), Outbox.broadcast_id.is_(None))
        word = re.compile(rf"(?<!\w){re.escape(html.escape(user.first_name or '', quote=False))}(?!\w)")
        for row in (await session.execute(waiting)).scalars():
            if word.search(str(row.payload.get("text", ""))):
                row.payload, row.sent_at, row.outcome, row.leased_until = {"text": ""}, now, "failed", None


def _without(value: Any, name: str) -> Any:
    """`value` with her name replaced where a question keeps names for its wording (a frame's `fmt`), and only
    there: elsewhere the same text may be an answer ("1" as a capacity, "Aarhus" as a place)."""
    if isinstance(value, list):
        return [_without(item, name) for item in value]
    if not isinstance(value, dict):
        return value
    return {
        key: {k: "—" if v == name else v for k, v in item.items()}
        if key == "fmt" and isinstance(item, dict)
        else _without(item, name)
        for key, item in value.items()
    }


async def scrub_conversations(session: AsyncSession, user: User) -> None:
    """Other women's open questions that name her ("Complete your mentorship with Amina?") keep a dash instead."""
    name = user.first_name
    if not name:
        return
    text = cast(Conversation.data, String)
    named = or_(*(text.contains(json.dumps(form)[1:-1], autoescape=True) for form in {name, html.escape(name)}))
    query = select(Conversation).where(named, Conversation.user_id != user.id).with_for_update()
    for conv in (await session.execute(query)).scalars():
        conv.data = _without(conv.data, name)
        flag_modified(conv, "data")


async def erase(session: AsyncSession, user: User, now: datetime) -> None:
    """Everything that names her goes; see the module's docstring for what stays. The caller has ended her
    mentorships and requests and told the others."""
    await scrub_outbox(session, user, now)
    await scrub_conversations(session, user)
    uid = user.id
    await session.execute(delete(Conversation).where(Conversation.user_id == uid))
    await session.execute(delete(WaitingMentee).where(WaitingMentee.mentee_id == uid))
    await session.execute(delete(Nudge).where(Nudge.user_id == uid))
    await session.execute(update(Broadcast).where(Broadcast.created_by == uid).values(created_by=None))
    await session.execute(update(Event).where(Event.created_by == uid).values(created_by=None))
    if not await has_history(session, uid):
        await session.execute(delete(Rsvp).where(Rsvp.user_id == uid))
        for model in (MenteeProfile, MentorProfile):
            if (row := await session.get(model, uid)) is not None:
                await session.delete(row)
        await session.flush()
        await session.delete(user)
        return
    await session.execute(update(MentorRequest).where(MentorRequest.mentee_id == uid).values(message=None))
    await session.execute(update(MeetingReport).where(MeetingReport.reporter_id == uid).values(note=None))
    await session.execute(update(ProblemReport).where(ProblemReport.reporter_id == uid).values(note=None))
    # Coordinators' notes on her mentorships are about her too.
    mine = select(Mentorship.id).where(or_(Mentorship.mentee_id == uid, Mentorship.mentor_id == uid))
    await session.execute(delete(PairNote).where(PairNote.mentorship_id.in_(mine)))
    await session.execute(delete(Rsvp).where(Rsvp.user_id == uid, Rsvp.attended.is_(False)))
    # The place filter of /stats reads the mentee's region and the company filter the mentor's company: those
    # stay, everything else in the profile goes.
    if (mentee := await session.get(MenteeProfile, uid)) is not None:
        for column, empty in (("fields", []), ("languages", []), ("goals", []), ("about", None)):
            setattr(mentee, column, empty)
        mentee.education = mentee.experience = mentee.danish = ""
    if (mentor := await session.get(MentorProfile, uid)) is not None:
        mentor.status = ERASED
        mentor.job_title = mentor.employer = mentor.region = mentor.experience = ""
        mentor.about = mentor.pending_changes = None
        mentor.fields, mentor.languages, mentor.meeting_modes, mentor.helps_with = [], [], [], []
        mentor.fields_mask = mentor.languages_mask = mentor.helps_mask = mentor.capacity = mentor.active_count = 0
        mentor.meets_online = mentor.meets_in_person = False
    user.platform, user.external_id, user.chat_id = ERASED, f"{ERASED}-{uid}", ""
    user.first_name = user.locale = None
    user.consent_version = user.consent_at = user.declined_at = user.blocked_at = None
    user.limits = user.retention_asked_at = None
    user.erased_at = now
