"""Places at an event: who is going, the waitlist and who moves up, her calendar file and reminders."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.events.common import REMINDERS, card
from conversations.kernel import calendar, nudges
from conversations.kernel.flow import (
    Context,
    freeze,
    ref_of,
    voice,
)
from conversations.kernel.messages import Attachment, Button, Reply
from storage import events
from storage.events import rsvp_of
from storage.models import Event, Rsvp, User


async def schedule_for(session: AsyncSession, event: Event, user: User, now: datetime) -> None:
    """Her reminders for this event, replacing any from an earlier time of it."""
    await nudges.cancel(session, now, "event_reminder", "guest_join", event_id=event.id, user_id=user.id)
    for before in REMINDERS:
        if event.starts_at - before > now:
            nudges.schedule(
                session, "event_reminder", event.starts_at - before, user_id=user.id, event_id=event.id, essential=True
            )
    if user.consent_at is None:  # a guest through a friend's link: the day after, an invitation to join
        nudges.schedule(session, "guest_join", event.starts_at + timedelta(days=1), user_id=user.id, event_id=event.id)


def invitation_file(event: Event, now: datetime) -> Attachment:
    # Event and meeting calendar UIDs must not collide: events get a prefix of their own.
    return calendar.invitation(
        f"event-{event.id}", event.starts_at, event.title, event.place, now,
        ends_at=event.ends_at or event.starts_at + timedelta(hours=2), name=calendar.filename(event.title),
    )  # fmt: skip


async def welcome(ctx: Context, user: User, event: Event, rsvp: Rsvp) -> None:
    """She has a place: the calendar file, her reminders, and the question about needs."""
    view = voice(user)
    await schedule_for(ctx.session, event, user, ctx.now)
    text = view._(
        "You are going to {title}! 🌱 The calendar file below adds it to your calendar. Do you need anything to come?"
    ).format(title=view.v(event.title))
    buttons = [
        # NOTE: button, ≤ 30 characters
        [Button(view._("Tell us what you need"), f"e:needs:{event.id}")],
        # NOTE: button, ≤ 30 characters
        [Button(view._("Invite a friend"), f"e:invite:{event.id}")],
    ]
    ctx.replies.append(Reply(text, freeze(buttons), to=ref_of(user), attachment=invitation_file(event, ctx.now)))


async def promote(ctx: Context, event: Event) -> bool:
    """A place freed up: the first on the waitlist gets it, and is told. False when nobody moved up."""
    if await events.going_count(ctx.session, event.id) >= event.capacity:
        return False
    queue = await events.waitlist(ctx.session, event.id)
    if not queue:
        return False
    first = queue[0]
    first.status = "going"
    user = await ctx.session.get(User, first.user_id)
    if user is not None:
        view = voice(user)
        ctx.tell(
            user,
            view._("Good news: a place at {title} has freed up, and it is yours.").format(title=view.v(event.title)),
        )
        await welcome(ctx, user, event, first)
    await ctx.session.flush()
    return True


async def give_up_places(ctx: Context) -> None:
    """She is leaving: her answers to coming events go, and a place she held goes to the next on the waitlist."""
    for rsvp, event in await events.coming_answers_of(ctx.session, ctx.user.id, ctx.now):
        held = rsvp.status == "going"
        await ctx.session.delete(rsvp)
        await ctx.session.flush()
        if held:
            await promote(ctx, event)


# What she needs to come to an event she said yes to; the frame holds {"rsvp", "picked"}.
@nudges.kind("event_reminder")
async def remind(session: AsyncSession, nudge, now: datetime) -> list[Reply]:  # type: ignore[no-untyped-def]
    event = await session.get(Event, nudge.event_id)
    user = await session.get(User, nudge.user_id)
    if event is None or user is None or event.status != "published" or event.starts_at <= now:
        return []
    last = min(REMINDERS)
    if nudge.due_at < event.starts_at - last <= now:  # held back so long that the last reminder is due too
        return []
    rsvp = await rsvp_of(session, event.id, user.id)
    if rsvp is None or rsvp.status != "going":
        return []
    view = voice(user)
    return [
        Reply(
            view._("A reminder: {title} is soon.").format(title=view.v(event.title)) + "\n\n" + card(view, event),
            to=ref_of(user),
        )
    ]
